import type { Node } from '../parser';
import { parameterNames, targetNames } from './syntax';

export const BINDERS = [
  'assignment', 'augmented_assignment', 'for_statement', 'for_in_clause', 'as_pattern', 'function_definition',
  'class_definition', 'named_expression', 'parameters', 'lambda_parameters', 'global_statement', 'nonlocal_statement',
  'wildcard_import', 'import_statement', 'import_from_statement',
];

/** Python's builtins (Python 3.11 `dir(builtins)`) and module dunders: always bound. */
const BUILTINS = new Set([
  'ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError',
  'ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception ExceptionGroup False FileExistsError FileNotFoundError',
  'FloatingPointError FutureWarning GeneratorExit IOError ImportError ImportWarning IndentationError IndexError InterruptedError IsADirectoryError KeyError KeyboardInterrupt',
  'LookupError MemoryError ModuleNotFoundError NameError None NotADirectoryError NotImplemented NotImplementedError OSError OverflowError PendingDeprecationWarning PermissionError',
  'ProcessLookupError RecursionError ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError SystemExit',
  'TabError TimeoutError True TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning ValueError',
  'Warning ZeroDivisionError __debug__ __doc__ __import__ __loader__ __name__ __package__ __spec__ abs aiter all',
  'anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile',
  'complex copyright credits delattr dict dir divmod enumerate eval exec exit filter',
  'float format frozenset getattr globals hasattr hash help hex id input int',
  'isinstance issubclass iter len license list locals map max memoryview min next',
  'object oct open ord pow print property quit range repr reversed round',
  'set setattr slice sorted staticmethod str sum super tuple type vars zip',
  '__file__ __builtins__ __annotations__ __path__ __dict__',
].join(' ').split(' '));

/**
 * File-wide name facts, flow- and scope-insensitive on purpose: a name counts as defined if anything in the file
 * binds it (any scope, any position).
 */
export class Scope {
  private readonly bound = new Map<string, number>();
  /** `from x import *`, `globals()[...]`, `exec`: names can appear from nowhere. */
  readonly dynamic: boolean;

  /** `binders`: the file's nodes of the BINDERS types; `calledNames`: identifiers the file calls. */
  constructor(binders: readonly Node[], private readonly calledNames: ReadonlySet<string>, source: string) {
    let dynamic = false;
    for (const node of binders) {
      const type = node.type;
      const names = this.namesBoundBy(node, type);
      if (type === 'wildcard_import') dynamic = true;
      for (const name of names) this.bound.set(name, (this.bound.get(name) ?? 0) + 1);
    }
    this.dynamic = dynamic || /\b(?:globals|locals|vars)\s*\(|\bexec\s*\(/.test(source);
  }

  binds(name: string): boolean {
    return this.bound.has(name) || BUILTINS.has(name);
  }

  static isBuiltin(name: string): boolean {
    return BUILTINS.has(name);
  }

  isCalled(name: string): boolean {
    return this.calledNames.has(name);
  }

  private namesBoundBy(node: Node, type: string): string[] {
    switch (type) {
      case 'assignment':
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        return left ? targetNames(left) : [];
      }
      case 'for_statement':
      case 'for_in_clause': {
        const left = node.childForFieldName('left');
        return left ? targetNames(left) : [];
      }
      case 'as_pattern': {
        const alias = node.childForFieldName('alias') ?? node.namedChildren[1];
        return alias ? targetNames(alias.type === 'as_pattern_target' ? alias.namedChildren[0] ?? alias : alias) : [];
      }
      case 'function_definition':
      case 'class_definition': {
        const name = node.childForFieldName('name');
        return name ? [name.text] : [];
      }
      case 'named_expression': {
        const name = node.childForFieldName('name');
        return name ? [name.text] : [];
      }
      case 'parameters':
      case 'lambda_parameters':
        return parameterNames(node);
      case 'global_statement':
      case 'nonlocal_statement':
        return node.namedChildren.filter((c): c is Node => c?.type === 'identifier').map((c) => c.text);
      case 'import_statement':
      case 'import_from_statement': {
        const names: string[] = [];
        const moduleNode = node.childForFieldName('module_name');
        for (const item of node.namedChildren) {
          if (!item || (type === 'import_from_statement' && item.startIndex === moduleNode?.startIndex)) continue;
          if (item.type === 'dotted_name') names.push(type === 'import_statement' ? item.text.split('.')[0]! : item.text);
          else if (item.type === 'aliased_import') {
            const alias = item.childForFieldName('alias');
            if (alias) names.push(alias.text);
          }
        }
        return names;
      }
      default:
        return [];
    }
  }
}
