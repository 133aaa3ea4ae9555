import type { Node } from '../../parser';
import { callsByCallee } from '../helpers';
import type { RuleContext } from '../rule';

/** `mod.fn` with the head resolved through imports: `rq.get` -> `requests.get`, `Variable.get` -> `airflow.sdk.Variable.get`. */
export function qualifiedCallee(context: RuleContext, call: Node): string | undefined {
  const callee = call.childForFieldName('function');
  if (!callee || (callee.type !== 'identifier' && callee.type !== 'attribute')) return undefined;
  const text = callee.text;
  if (text.includes('(') || text.includes('\n')) return undefined;
  const dot = text.indexOf('.');
  const head = dot < 0 ? text : text.slice(0, dot);
  const resolved = context.model.qualifiedName(head);
  return resolved === undefined ? text : resolved + (dot < 0 ? '' : text.slice(dot));
}

/** Calls matching `pattern` on their qualified callee, that run when Airflow parses the file (DAG files only). */
export function parseTimeCalls(context: RuleContext, quick: RegExp, pattern: RegExp): { call: Node; name: string }[] {
  if (!context.model.looksLikeDagFile || !quick.test(context.source)) return [];
  const result: { call: Node; name: string }[] = [];
  for (const { call } of callsByCallee(context, (callee) => quick.test(callee))) {
    const name = qualifiedCallee(context, call);
    if (name && pattern.test(name) && context.model.isParseTime(call)) result.push({ call, name });
  }
  return result;
}
