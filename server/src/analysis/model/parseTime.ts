import type { Node } from '../parser';

const FUNCTION_TYPES = new Set(['function_definition', 'lambda']);
/** `if __name__ == "__main__":` does not run when Airflow imports the file. */
const MAIN_GUARD = /__name__\s*==\s*["']__main__["']|["']__main__["']\s*==\s*__name__/;

/**
 * `isParseTime(node)`: code runs when Airflow parses the file unless it sits inside a function that only runs
 * later: a task body, a callback, a method, or a function nothing at parse time calls.
 */
export function parseTimeOracle(
  runtime: readonly Node[],
  parseTimeFunctions: readonly Node[],
  functionsByName: ReadonlyMap<string, Node[]>,
  allCalls: () => readonly Node[],
): (node: Node) => boolean {
  const runtimeIds = new Set(runtime.map((n) => n.id));
  const verdicts = new Map<number, boolean>(parseTimeFunctions.map((n) => [n.id, true]));
  for (const id of runtimeIds) verdicts.set(id, false);
  let callSites: Map<string, Node[]> | undefined;

  const sitesOf = (name: string): Node[] => {
    if (!callSites) {
      callSites = new Map();
      for (const call of allCalls()) {
        const fn = call.childForFieldName('function');
        if (fn?.type === 'identifier' && functionsByName.has(fn.text)) {
          callSites.set(fn.text, [...(callSites.get(fn.text) ?? []), call]);
        }
      }
    }
    return callSites.get(name) ?? [];
  };

  const functionRuns = (fn: Node, depth: number): boolean => {
    const cached = verdicts.get(fn.id);
    if (cached !== undefined) return cached;
    if (fn.type === 'lambda' || depth > 16) return false;
    verdicts.set(fn.id, false); // recursion guard
    const name = fn.childForFieldName('name')?.text;
    const inClass = fn.parent?.parent?.type === 'class_definition'
      || (fn.parent?.type === 'decorated_definition' && fn.parent.parent?.parent?.type === 'class_definition');
    const runs = !inClass && name !== undefined && sitesOf(name).some((site) => isParseTime(site, depth + 1));
    verdicts.set(fn.id, runs);
    return runs;
  };

  const isParseTime = (node: Node, depth = 0): boolean => {
    for (let current = node.parent; current; current = current.parent) {
      const type = current.type;
      if (FUNCTION_TYPES.has(type) && !functionRuns(current, depth)) return false;
      if (type === 'if_statement' && MAIN_GUARD.test(current.childForFieldName('condition')?.text ?? '')) return false;
    }
    return true;
  };

  return (node: Node) => isParseTime(node);
}
