import type { DagFileModel } from '../analysis/model/types';
import type { Node } from '../analysis/parser';
import { sortedRecord } from './order';
import { digestOf, type SourceText } from './sourceText';

/** A module-level `NAME = value` (its statement and value), or a function or class defined in the file. */
type Binding = { readonly kind: 'constant'; readonly statement: Node; readonly value: Node } | { readonly kind: 'definition'; readonly node: Node };

/** What a DAG uses from its own file, beyond its call arguments: module constants and definitions, found by name. */
export interface UsedNames {
  readonly constants: Record<string, string>;
  readonly definitions: Record<string, string>;
}

/** Every name the module binds, as digests of its code the DAG snapshots do not describe, and the nodes that bind them. */
export interface FileNames {
  readonly digests: Record<string, string>;
  readonly nodes: readonly Node[];
}

/**
 * The names a file binds at module level (`X = ...`, `def f`, `class C`) plus the task functions the model found
 * anywhere (TaskFlow functions inside an `@dag` function). A name bound twice keeps every binding.
 */
export class ModuleNames {
  private readonly bindings = new Map<string, Binding[]>();

  constructor(model: DagFileModel, private readonly source: SourceText) {
    for (const statement of model.topLevelStatements) {
      const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
      const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
      const value = assignment?.childForFieldName('right');
      if (left?.type === 'identifier' && value) this.add(left.text, { kind: 'constant', statement, value });
      const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
      if (definition?.type === 'function_definition' || definition?.type === 'class_definition') this.addDefinition(definition);
    }
    // Task functions nested in an `@dag` function are names too; methods (`execute`) belong to their class.
    for (const definition of model.runtimeFunctions) if (!isMethod(definition)) this.addDefinition(definition);
  }

  /** Constants and definitions reachable from `roots` through the names they mention (a definition's body included). */
  used(roots: readonly Node[], exclude: ReadonlySet<string> = new Set()): UsedNames {
    const constants: Record<string, string> = {};
    const definitions: Record<string, string> = {};
    const seen = new Set<string>(exclude);
    const pending = roots.flatMap(mentionedNames);
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      const bindings = this.bindings.get(name);
      if (!bindings || seen.has(name)) continue;
      seen.add(name);
      const constantTexts: string[] = [];
      const definitionTexts: string[] = [];
      for (const binding of bindings) {
        const node = binding.kind === 'constant' ? binding.value : binding.node;
        (binding.kind === 'constant' ? constantTexts : definitionTexts).push(this.source.text(node));
        pending.push(...mentionedNames(node));
      }
      if (constantTexts.length) constants[name] = constantTexts.join(' ; ');
      if (definitionTexts.length) definitions[name] = digestOf(definitionTexts.join(' ; '));
    }
    return { constants: sortedRecord(constants), definitions: sortedRecord(definitions) };
  }

  /**
   * Every binding but a variable holding a described value (`load = BashOperator(...)`): its code without the
   * `described` nodes, digested, so a change the snapshots describe (a task argument inside an `@dag` function, a
   * `default_args` entry) does not count twice.
   */
  fileNames(described: ReadonlySet<number>): FileNames {
    const digests: Record<string, string> = {};
    const nodes: Node[] = [];
    for (const [name, bindings] of this.bindings) {
      const kept = bindings.filter((b) => b.kind === 'definition' || !described.has(b.value.id));
      if (kept.length === 0) continue;
      digests[name] = digestOf(kept.map((b) => this.source.text(b.kind === 'constant' ? b.value : b.node, described)).join(' ; '));
      nodes.push(...kept.map((b) => (b.kind === 'constant' ? b.statement : b.node)));
    }
    return { digests: sortedRecord(digests), nodes };
  }

  /** The decorated definitions (decorators included) of the functions named `name`. */
  decoratedDefinitions(name: string): Node[] {
    return (this.bindings.get(name) ?? []).flatMap((b) => (b.kind === 'definition' && b.node.parent?.type === 'decorated_definition' ? [b.node.parent] : []));
  }

  private addDefinition(definition: Node): void {
    const name = definition.childForFieldName('name')?.text;
    if (!name || this.bindings.get(name)?.some((b) => b.kind === 'definition' && b.node.id === definition.id)) return;
    this.add(name, { kind: 'definition', node: definition });
  }

  private add(name: string, binding: Binding): void {
    this.bindings.set(name, [...(this.bindings.get(name) ?? []), binding]);
  }
}

function isMethod(definition: Node): boolean {
  const holder = definition.parent?.type === 'decorated_definition' ? definition.parent.parent : definition.parent;
  return holder?.parent?.type === 'class_definition';
}

/** Where an identifier is a name being bound or an attribute, not a name being read: the field it is in. */
const NOT_READ: Readonly<Record<string, string>> = {
  keyword_argument: 'name',
  attribute: 'attribute',
  function_definition: 'name',
  class_definition: 'name',
  default_parameter: 'name',
  typed_parameter: '',
  typed_default_parameter: 'name',
};

/** Identifiers a node reads (not keyword-argument names, attribute names, names of definitions or parameters). */
function mentionedNames(node: Node): string[] {
  const names = node.type === 'identifier' ? [node] : node.descendantsOfType('identifier');
  return names
    .filter((n): n is Node => n !== null)
    .filter((n) => {
      const parent = n.parent;
      if (!parent) return true;
      if (parent.type === 'parameters' || parent.type === 'lambda_parameters') return false;
      const field = NOT_READ[parent.type];
      if (field === undefined) return true;
      return field !== '' && parent.childForFieldName(field)?.id !== n.id;
    })
    .map((n) => n.text);
}
