import type { Node } from '../analysis/parser';

/* Reading the syntax around what the model reports: arguments, decorators, loops. */

/** The `keyword_argument` (or dict `pair`) a value belongs to, or the value itself when positional. */
export function argumentOf(value: Node): Node {
  return value.parent?.type === 'keyword_argument' || value.parent?.type === 'pair' ? value.parent : value;
}

/** `DAG(...)` / `TaskGroup(...)` whose every argument the snapshot holds: the whole call is described. */
export function wholeCall(node: Node, idNode: Node | undefined): Node[] {
  return node.type === 'call' && positional(node).every((p) => p.id === idNode?.id) ? [node] : [];
}

export function positional(call: Node): Node[] {
  const list = call.type === 'call' ? call.childForFieldName('arguments') : null;
  return (list?.namedChildren ?? []).filter((c): c is Node => c !== null && !c.isExtra && c.type !== 'keyword_argument');
}

/** Keyword arguments and the id node of `TaskGroup(...)` or of the `@task_group(...)` decorator. */
export function groupArguments(node: Node): { args: Map<string, Node>; idNode?: Node } {
  const call = node.type === 'call' ? node : node.namedChildren.find((c) => c?.type === 'decorator' && /task_group\s*\(/.test(c.text))?.namedChild(0) ?? undefined;
  const args = new Map<string, Node>();
  const list = call?.type === 'call' ? call.childForFieldName('arguments') : null;
  for (const child of list?.namedChildren ?? []) {
    const name = child?.type === 'keyword_argument' ? child.childForFieldName('name')?.text : undefined;
    const value = child?.childForFieldName('value');
    if (name && value) args.set(name, value);
  }
  const idNode = args.get('group_id') ?? (call ? positional(call)[0] : undefined);
  return { args, ...(idNode ? { idNode } : {}) };
}

/** `fn` of `fn(...)`, `fn.override(...)(...)`, `fn.expand(...)`, `fn.partial(...).expand(...)`. */
export function calleeName(call: Node): string | undefined {
  let node: Node | null = call.childForFieldName('function');
  while (node && node.type !== 'identifier') node = node.type === 'attribute' ? node.childForFieldName('object') : node.type === 'call' ? node.childForFieldName('function') : null;
  return node?.text;
}

/** The iterable of the innermost `for` around a DAG or task created in a loop (what it iterates is part of the snapshot). */
export function loopIterable(node: Node): Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'for_statement') return n.childForFieldName('right') ?? undefined;
  return undefined;
}
