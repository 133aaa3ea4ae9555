import { buildModel } from '../analysis/model/build';
import type { Node, Tree } from '../analysis/parser';
import { isGuardedImport } from '../analysis/rules/airflow3/imports';

/**
 * When an import statement runs: `module` while Airflow imports the file (a missing package is an import error),
 * `call` only when code Airflow does not run at parse time runs it (a task body, a callback, a method, a function
 * nothing at parse time calls: the file imports, that code fails), `optional` when the file guards it (`try` …
 * `except ImportError`, an `if` on TYPE_CHECKING or a version), as the Airflow 3 rules read guards.
 */
export type ImportTiming = 'module' | 'call' | 'optional';

export interface ImportedModule {
  readonly module: string;
  readonly node: Node;
}

/**
 * When each import statement runs. Building the DAG model costs about as much as the parse, so callers ask only
 * for the imports that need an answer (a missing or undeclared package).
 */
export function importTiming(tree: Tree, source: string): (statement: Node) => ImportTiming {
  const model = buildModel(tree, source);
  return (statement) => (isGuardedImport(statement) ? 'optional' : model.isParseTime(statement) ? 'module' : 'call');
}

/** Every module an `import` or `from ... import` statement names, at any depth, in source order. */
export function importedModules(tree: Tree): ImportedModule[] {
  const found: ImportedModule[] = [];
  for (const statement of tree.rootNode.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (!statement) continue;
    if (statement.type === 'import_from_statement') {
      const module = statement.childForFieldName('module_name');
      if (module && module.type !== 'relative_import') found.push({ module: module.text, node: statement });
      continue;
    }
    for (const name of statement.childrenForFieldName('name')) {
      if (!name) continue;
      const dotted = name.type === 'aliased_import' ? name.childForFieldName('name') : name;
      if (dotted) found.push({ module: dotted.text, node: statement });
    }
  }
  return found;
}
