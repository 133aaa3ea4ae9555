import type { Node, Tree } from '../analysis/parser';

/**
 * When an import statement runs: `module` while Airflow imports the file (a missing package is an import error),
 * `call` only when a function or task body calls it (a missing package fails that task on the worker, not the
 * parse), `optional` when the file guards it (`try`/`except ImportError`, `if TYPE_CHECKING:`).
 */
export type ImportTiming = 'module' | 'call' | 'optional';

export interface ImportedModule {
  readonly module: string;
  readonly node: Node;
  readonly timing: ImportTiming;
}

/** Exceptions whose handler makes the imports of its `try` body optional. */
const IMPORT_ERROR_CATCHERS = new Set(['ImportError', 'ModuleNotFoundError', 'Exception', 'BaseException']);

function catchesImportError(tryStatement: Node): boolean {
  for (const clause of tryStatement.namedChildren) {
    if (clause?.type !== 'except_clause') continue;
    const caught = clause.namedChildren.find((child) => child && child.type !== 'block' && child.type !== 'comment');
    if (!caught) return true; // a bare `except:`
    const names = caught.type === 'as_pattern' ? caught.namedChildren[0] : caught;
    const listed = names?.type === 'tuple' ? names.namedChildren : [names];
    if (listed.some((name) => name && IMPORT_ERROR_CATCHERS.has(name.text.split('.').at(-1)!))) return true;
  }
  return false;
}

function isTypeCheckingGuard(ifStatement: Node): boolean {
  const condition = ifStatement.childForFieldName('condition')?.text;
  return condition === 'TYPE_CHECKING' || condition === 'typing.TYPE_CHECKING';
}

function timingOf(statement: Node): ImportTiming {
  let optional = false;
  let inner: Node = statement;
  for (let parent = statement.parent; parent; inner = parent, parent = parent.parent) {
    if (parent.type === 'function_definition' || parent.type === 'lambda') return optional ? 'optional' : 'call';
    // Only the `try` body is guarded; an import in an `except` or `finally` clause is not.
    if (parent.type === 'try_statement' && inner.type === 'block' && catchesImportError(parent)) optional = true;
    if (parent.type === 'if_statement' && inner.type === 'block' && isTypeCheckingGuard(parent)) optional = true;
  }
  return optional ? 'optional' : 'module';
}

/** Every module an `import` or `from ... import` statement names, at any depth, with when it runs. */
export function importedModules(tree: Tree): ImportedModule[] {
  const found: ImportedModule[] = [];
  for (const statement of tree.rootNode.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (!statement) continue;
    const timing = timingOf(statement);
    if (statement.type === 'import_from_statement') {
      const module = statement.childForFieldName('module_name');
      if (module && module.type !== 'relative_import') found.push({ module: module.text, node: statement, timing });
      continue;
    }
    for (const name of statement.childrenForFieldName('name')) {
      if (!name) continue;
      const dotted = name.type === 'aliased_import' ? name.childForFieldName('name') : name;
      if (dotted) found.push({ module: dotted.text, node: statement, timing });
    }
  }
  return found;
}
