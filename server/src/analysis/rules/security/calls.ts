import type { Node, Tree } from '../../parser';
import type { RuleContext } from '../rule';
import { calleeName, callAt } from './syntax';
import { DANGEROUS_CALL_NAMES, triggers, type Trigger } from './triggers';

export interface ResolvedCall {
  readonly node: Node;
  /** Qualified callee, `subprocess.run`, or the bare name of a builtin, `eval`. */
  readonly name: string;
  /** The callee is a plain name (`eval(...)`), not an attribute (`obj.eval(...)`). */
  readonly bare: boolean;
}

const cache = new WeakMap<Tree, readonly ResolvedCall[]>();
const DANGEROUS = new Set(DANGEROUS_CALL_NAMES);

/** Calls of the dangerous function names (`eval(`, `load(`, `system(` ... and their import aliases), resolved once per tree. */
export function suspiciousCalls(context: RuleContext): readonly ResolvedCall[] {
  let calls = cache.get(context.tree);
  if (!calls) {
    calls = [...triggers(context, 'call'), ...aliasTriggers(context)].flatMap((trigger) => resolve(context, trigger) ?? []);
    cache.set(context.tree, calls);
  }
  return calls;
}

function resolve(context: RuleContext, trigger: Trigger): ResolvedCall | undefined {
  const call = callAt(context.tree, trigger.index);
  const callee = call?.childForFieldName('function');
  const nameEnd = trigger.index + /^\w+/.exec(trigger.text)![0].length;
  if (!call || !callee || callee.endIndex !== nameEnd) return undefined;
  const name = calleeName(context, call);
  return name === undefined ? undefined : { node: call, name, bare: callee.type === 'identifier' };
}

/** `from os import system as run_shell`: calls of `run_shell(` (rare, so searched only when such an import exists). */
function aliasTriggers(context: RuleContext): Trigger[] {
  const found: Trigger[] = [];
  for (const imported of context.model.imports) {
    for (const { name, alias } of imported.names) {
      if (!alias || alias === name || !DANGEROUS.has(name) || !/^\w+$/.test(alias)) continue;
      const pattern = new RegExp(`\\b${alias}\\s*\\(`, 'g');
      for (const match of context.source.matchAll(pattern)) found.push({ index: match.index, text: match[0] });
    }
  }
  return found;
}
