import type { Node, Tree } from '../analysis/parser';

export interface ImportedModule {
  readonly module: string;
  readonly node: Node;
}

/** Every module an `import` or `from ... import` statement names, at any depth (task-level imports count too). */
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
