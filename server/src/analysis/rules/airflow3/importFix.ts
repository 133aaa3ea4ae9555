import type { Fix } from '../../findings';
import { rangeOf } from '../../model/syntax';
import type { ImportModel } from '../../model/types';

/**
 * Rewrites `from OLD import a, b as c` into one `from NEW import ...` line per target module, keeping every local
 * name bound (a renamed class is imported `as` its old name), so the rest of the file keeps working.
 * Names without a mapping stay imported from the old module. Undefined when the statement cannot be rewritten
 * safely (star import, comments inside it).
 */
export function rewriteImport(imp: ImportModel, target: (name: string) => string | undefined, source: string): Fix | undefined {
  if (imp.names.length === 0 || imp.node.type !== 'import_from_statement') return undefined;
  if (imp.node.descendantsOfType('comment').length > 0 || imp.node.descendantsOfType('wildcard_import').length > 0) return undefined;
  const byModule = new Map<string, string[]>();
  const add = (module: string, clause: string): void => {
    byModule.set(module, [...(byModule.get(module) ?? []), clause]);
  };
  for (const { name, alias } of imp.names) {
    const moved = target(name);
    if (!moved) {
      add(imp.module, alias ? `${name} as ${alias}` : name);
      continue;
    }
    const dot = moved.lastIndexOf('.');
    const module = moved.slice(0, dot);
    const newName = moved.slice(dot + 1);
    const local = alias ?? name;
    add(module, newName === local ? newName : `${newName} as ${local}`);
  }
  const line = source.lastIndexOf('\n', imp.node.startIndex - 1) + 1;
  const indent = source.slice(line, imp.node.startIndex);
  const separator = /^[ \t]*$/.test(indent) ? `\n${indent}` : '; ';
  const text = [...byModule].map(([module, clauses]) => `from ${module} import ${clauses.join(', ')}`).join(separator);
  const modules = [...byModule.keys()].filter((m) => m !== imp.module);
  return { title: `Import from ${modules.join(', ')}`, edits: [{ range: rangeOf(imp.node), newText: text }] };
}
