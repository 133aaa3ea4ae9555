import type { Node } from '../../parser';
import { literalOf } from './syntax';

/** Constructs whose value is bound to a name: `name=value`, `name = value`, `x["name"] = value`, `"name": value`, `def f(name=value)`. */
const BINDINGS = new Set(['keyword_argument', 'assignment', 'pair', 'default_parameter', 'typed_default_parameter']);

export interface Binding {
  readonly name: string;
  readonly value: Node;
  readonly node: Node;
}

/** The binding whose name contains `node` (climbing a few levels from the name's token). */
export function bindingOfName(node: Node): Binding | undefined {
  let current: Node | null = node;
  for (let depth = 0; current && depth < 4; depth++, current = current.parent) {
    if (BINDINGS.has(current.type)) return bindingOf(current);
  }
  return undefined;
}

/** The binding that gives `value` its name, when `value` is the bound value. */
export function bindingOfValue(value: Node): Binding | undefined {
  const parent = value.parent;
  if (!parent || !BINDINGS.has(parent.type)) return undefined;
  const binding = bindingOf(parent);
  return binding && binding.value.equals(value) ? binding : undefined;
}

function bindingOf(node: Node): Binding | undefined {
  const isPair = node.type === 'pair';
  const isAssignment = node.type === 'assignment';
  const nameNode = node.childForFieldName(isPair ? 'key' : isAssignment ? 'left' : 'name');
  const value = node.childForFieldName(isAssignment ? 'right' : 'value');
  if (!nameNode || !value) return undefined;
  const name = nameText(nameNode);
  return name === undefined ? undefined : { name, value, node };
}

function nameText(node: Node): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text;
  // `os.environ["DB_PASSWORD"] = ...`: the key names the value.
  if (node.type === 'subscript') {
    const key = node.childForFieldName('subscript');
    return key ? nameText(key) : undefined;
  }
  if (node.type === 'string') {
    const literal = literalOf(node);
    return literal && !literal.interpolated ? literal.value : undefined;
  }
  return undefined;
}
