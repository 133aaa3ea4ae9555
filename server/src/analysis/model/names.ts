import type { Node } from '../parser';
import { parseImportText, type Span } from './importText';
import { dottedName } from './syntax';
import type { ImportedName, ImportModel } from './types';

const IMPORT_TYPES = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);
const IMPORT_LINE = /^[ \t]*(import|from)[ \t]/gm;
const DECORATOR = { dag: /^airflow\.(?:sdk|decorators)(?:\.[\w.]*)?\.dag$/, task_group: /^airflow\.(?:sdk|decorators)(?:\.[\w.]*)?\.task_group$/ };
const TASK_DECORATOR = /^airflow\.(?:sdk|decorators)(?:\.[\w.]*)?\.task(\.\w+)?$/;

/**
 * The first pass of the model builder: names and imports. Reads every import statement up front (imports bind
 * names wherever they are), then learns the classes and functions the file defines as the walk reaches them, and
 * answers what a name stands for: `BashOperator` -> `airflow.providers.standard.operators.bash.BashOperator`.
 */
export class Names {
  readonly imports: ImportModel[] = [];
  /** Bound name -> qualified name, from imports. */
  readonly aliases = new Map<string, string>();
  /** Classes defined in the file, with the last part of each base class's name. */
  readonly localClasses = new Map<string, string[]>();
  /** Functions defined in the file (any scope), by name. */
  readonly functionsByName = new Map<string, Node[]>();

  constructor(
    private readonly root: Node,
    private readonly source: string,
  ) {
    // No full traversal (descendantsOfType walks every node in wasm and costs a third of a parse): imports are found
    // in the text, then looked up in the tree one by one.
    for (const node of this.findImports()) this.collectImport(node);
  }

  defineClass(name: string, bases: string[]): void {
    this.localClasses.set(name, bases);
  }

  defineFunction(name: string, definition: Node): void {
    this.functionsByName.set(name, [...(this.functionsByName.get(name) ?? []), definition]);
  }

  /** `BashOperator` -> `airflow.providers.standard.operators.bash.BashOperator`; `x.y` with `x` imported -> resolved head. */
  qualify(node: Node): string | undefined {
    const name = dottedName(node);
    return name === undefined ? undefined : this.qualifyName(name);
  }

  qualifyName(name: string): string {
    const dot = name.indexOf('.');
    const head = dot < 0 ? name : name.slice(0, dot);
    const resolved = this.aliases.get(head);
    if (resolved === undefined) return name;
    return dot < 0 ? resolved : resolved + name.slice(dot);
  }

  isDagClass(callee: Node): boolean {
    return isAirflowName(this.qualify(callee), 'DAG');
  }

  isTaskGroupClass(callee: Node): boolean {
    return isAirflowName(this.qualify(callee), 'TaskGroup');
  }

  /** An operator or sensor class (imported, or defined here on top of one): its name, qualified name and kind. */
  operatorClass(qualified: string | undefined): { name: string; qualified: string; sensor: boolean } | undefined {
    if (!qualified) return undefined;
    const name = qualified.slice(qualified.lastIndexOf('.') + 1);
    if (!/^[A-Z]/.test(name)) return undefined;
    if (/(Operator|Sensor)$/.test(name) || this.isLocalOperator(name, 0)) {
      return { name, qualified, sensor: /Sensor$/.test(name) || /\.sensors?\./.test(qualified) };
    }
    return undefined;
  }

  /** `@task`, `@task.bash`, `@task(...)`: the operator label, or undefined. */
  taskDecorator(expression: Node): string | undefined {
    const qualified = this.qualify(expression);
    if (!qualified) return undefined;
    const match = TASK_DECORATOR.exec(qualified) ?? (qualified === 'task' ? ['task', ''] : null);
    return match ? `@task${match[1] ?? ''}` : undefined;
  }

  isDecorator(expression: Node, name: 'dag' | 'task_group'): boolean {
    const qualified = this.qualify(expression);
    return qualified !== undefined && (qualified === name || DECORATOR[name].test(qualified));
  }

  private isLocalOperator(name: string, depth: number): boolean {
    const bases = this.localClasses.get(name);
    if (!bases || depth > 8) return false;
    return bases.some((base) => /(Operator|Sensor)$/.test(base) || this.isLocalOperator(base, depth + 1));
  }

  /** `import` / `from` statements, found from the keywords at the start of lines. */
  private findImports(): Node[] {
    const nodes: Node[] = [];
    for (const match of this.source.matchAll(IMPORT_LINE)) {
      const index = match.index + match[0].length - match[1]!.length - 1;
      let node: Node | null = this.root.descendantForIndex(index);
      for (let hops = 0; node && hops < 3 && !IMPORT_TYPES.has(node.type); hops++) node = node.parent;
      if (node && IMPORT_TYPES.has(node.type) && node.startIndex === index) nodes.push(node);
    }
    return nodes;
  }

  private collectImport(node: Node): void {
    const type = node.type;
    if ((type === 'import_statement' || type === 'import_from_statement') && this.collectImportText(node)) return;
    if (type === 'import_statement') {
      for (const item of node.namedChildren) {
        if (!item) continue;
        if (item.type === 'dotted_name') {
          this.recordImport({ module: item.text, names: [], node, moduleNode: item }, false);
        } else if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name');
          const alias = item.childForFieldName('alias');
          if (name && alias) this.recordImport({ module: name.text, names: [], alias: alias.text, node, moduleNode: name }, false);
        }
      }
    } else if (type === 'import_from_statement') {
      const moduleNode = node.childForFieldName('module_name');
      if (!moduleNode) return;
      const names: ImportedName[] = [];
      for (const item of node.namedChildren) {
        if (!item || item.startIndex === moduleNode.startIndex) continue;
        if (item.type === 'dotted_name') {
          names.push({ name: item.text, node: item });
        } else if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name');
          const alias = item.childForFieldName('alias');
          if (name && alias) names.push({ name: name.text, alias: alias.text, node: item });
        }
      }
      this.recordImport({ module: moduleNode.text, names, node, moduleNode }, true);
    }
  }

  /**
   * Records an import statement read from its text (see parseImportText), as the tree walk above would; the nodes
   * of its parts are looked up only when a rule asks for them. False when the text is not one of the common forms.
   */
  private collectImportText(node: Node): boolean {
    const offset = node.startIndex;
    const parsed = parseImportText(this.source.slice(offset, node.endIndex));
    if (!parsed) return false;
    const at = (part: Span, ...types: string[]): (() => Node) => {
      let found: Node | undefined;
      return () => (found ??= nodeSpanning(node, offset + part.start, offset + part.end, types) ?? node);
    };
    if (parsed.kind === 'import') {
      for (const { name, alias } of parsed.items) {
        const moduleNode = at(name, 'dotted_name');
        this.recordImport({ module: name.text, names: [], ...(alias ? { alias: alias.text } : {}), node, get moduleNode() { return moduleNode(); } }, false);
      }
      return true;
    }
    const moduleNode = at(parsed.module, 'dotted_name', 'relative_import');
    const names = parsed.names.map(({ name, alias, item }): ImportedName => {
      const itemNode = at(item, alias ? 'aliased_import' : 'dotted_name');
      return { name: name.text, ...(alias ? { alias: alias.text } : {}), get node() { return itemNode(); } };
    });
    this.recordImport({ module: parsed.module.text, names, node, get moduleNode() { return moduleNode(); } }, true);
    return true;
  }

  /** Adds an import and the names it binds: `import a.b` binds `a`, `import a.b as c` `c`, `from m import x as y` `y`. */
  private recordImport(imported: ImportModel, from: boolean): void {
    this.imports.push(imported);
    if (from) {
      for (const { name, alias } of imported.names) this.aliases.set(alias ?? name, `${imported.module}.${name}`);
    } else if (imported.alias !== undefined) {
      this.aliases.set(imported.alias, imported.module);
    } else {
      const head = imported.module.split('.')[0]!;
      this.aliases.set(head, head);
    }
  }
}

/** `qualified` is Airflow's `last` (or the bare name, imported from who knows where). */
function isAirflowName(qualified: string | undefined, last: string): boolean {
  if (!qualified) return false;
  const tail = qualified.slice(qualified.lastIndexOf('.') + 1);
  return tail === last && (qualified === last || qualified.startsWith('airflow.'));
}

/** The node of one of `types` inside `scope` that spans exactly `start..end`. */
function nodeSpanning(scope: Node, start: number, end: number, types: readonly string[]): Node | undefined {
  for (let node = scope.descendantForIndex(start, end); node && node.startIndex <= start; node = node.parent) {
    if (node.startIndex === start && node.endIndex === end && types.includes(node.type)) return node;
  }
  return undefined;
}
