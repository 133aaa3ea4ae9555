import type { Node } from '../../parser';
import type { Known } from '../../model/types';

/** Airflow's KEY_REGEX (`^[\w.-]+$`, Python's Unicode-aware `\w`) and its length limit. */
const KEY = /^[\p{L}\p{M}\p{N}_.-]+$/u;
/** GROUP_KEY_REGEX: TaskGroup ids may not contain dots. */
const GROUP_KEY = /^[\p{L}\p{M}\p{N}_-]+$/u;
export const MAX_KEY_LENGTH = 250;

/** Why Airflow would reject `id`, or undefined when it is valid. */
export function keyProblem(id: string, group = false): string | undefined {
  if (id.length === 0) return 'it is empty';
  if (id.length > MAX_KEY_LENGTH) return `it is ${id.length} characters long; the limit is ${MAX_KEY_LENGTH}`;
  if (!(group ? GROUP_KEY : KEY).test(id)) {
    const bad = [...new Set([...id].filter((ch) => !(group ? GROUP_KEY : KEY).test(ch)))].map((ch) => JSON.stringify(ch)).join(', ');
    return `it contains ${bad}; only letters, digits, underscores${group ? ' and dashes' : ', dashes and dots'} are allowed`;
  }
  return undefined;
}

/** The node to underline for an id: the literal when there is one. */
export function idNode(argument: Node | undefined, fallback: Node): Node {
  return argument ?? fallback;
}

export function describeKnown(value: Known<string>): string {
  return value.known ? JSON.stringify(value.value) : `(${value.why})`;
}
