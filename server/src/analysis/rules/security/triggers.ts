import type { Tree } from '../../parser';
import { SECRET_FORMAT_PREFIXES } from '../../secrets';

/**
 * Where in the source each security rule should look. The rules run on every keystroke, so instead of walking
 * the syntax tree they scan the text once with one regex (each alternative consumes only its short trigger,
 * so triggers never hide one another), then confirm each hit on the tree with one `descendantForIndex`.
 */
export type TriggerKind =
  | 'secretName' | 'secretFormat' | 'uri' | 'template' | 'shellTrue' | 'verifyFalse' | 'nativeObj'
  | 'call' | 'pipeToShell' | 'tmpPath' | 'randomToken';

/** Names of the functions the call rules look at; a call of one of them is a `call` trigger. */
export const DANGEROUS_CALL_NAMES: readonly string[] = ['eval', 'exec', 'system', 'popen', 'getoutput', 'getstatusoutput', 'load', 'loads', 'unsafe_load', 'Unpickler', 'mktemp'];

const ALTERNATIVES: readonly [TriggerKind, string][] = [
  ['secretName', 'password|passwd|pwd|passphrase|secret|token|credentials?|creds|api[_-]?key|authorization|(?:access|private|signing|encryption|master|client|auth|account)[_-]?key'],
  ['secretFormat', SECRET_FORMAT_PREFIXES],
  ['uri', ':\\/\\/'],
  ['template', '\\{\\{'],
  ['shellTrue', '\\bshell\\s*=\\s*True\\b'],
  ['verifyFalse', '\\bverify["\']?\\s*[=:]\\s*False\\b'],
  ['nativeObj', '\\brender_template_as_native_obj\\s*=\\s*True\\b'],
  ['call', `\\b(?:${DANGEROUS_CALL_NAMES.join('|')})\\s*\\(`],
  ['pipeToShell', '\\b(?:curl|wget)\\b'],
  ['tmpPath', '["\'](?=/tmp\\b|/var/tmp\\b|/dev/shm\\b)'],
  ['randomToken', '["\'](?=[A-Za-z0-9+/=_-]{20})'],
];

const TRIGGER = new RegExp(ALTERNATIVES.map(([, source]) => `(${source})`).join('|'), 'gi');

export interface Trigger {
  readonly index: number;
  readonly text: string;
}

export type Triggers = ReadonlyMap<TriggerKind, readonly Trigger[]>;

const cache = new WeakMap<Tree, Triggers>();

/** All triggers in the tree's source, computed once per tree and shared by the security rules. */
function triggersOf(tree: Tree, source: string): Triggers {
  let triggers = cache.get(tree);
  if (!triggers) {
    triggers = scan(source);
    cache.set(tree, triggers);
  }
  return triggers;
}

function scan(source: string): Triggers {
  const found = new Map<TriggerKind, Trigger[]>();
  TRIGGER.lastIndex = 0;
  for (let match = TRIGGER.exec(source); match; match = TRIGGER.exec(source)) {
    const group = match.findIndex((value, i) => i > 0 && value !== undefined);
    const kind = ALTERNATIVES[group - 1]![0];
    let list = found.get(kind);
    if (!list) found.set(kind, (list = []));
    list.push({ index: match.index, text: match[0] });
  }
  return found;
}

export function triggers(context: { tree: Tree; source: string }, kind: TriggerKind): readonly Trigger[] {
  return triggersOf(context.tree, context.source).get(kind) ?? [];
}
