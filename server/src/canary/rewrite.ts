import type { DagModel } from '../analysis/model/types';
import { decoratorTarget } from '../analysis/model/syntax';
import type { Node } from '../analysis/parser';
import { withFileModel } from '../deploy/dags/fileModel';
import { positional } from '../dagdiff/callSyntax';

/** The canary of `orders` is the DAG `orders__canary`, in `orders__canary.py` beside the live file. */
export const CANARY_SUFFIX = '__canary';
/** The tag a canary gets, so the Airflow UI shows what it is. */
export const CANARY_TAG = 'hangar-canary';

export const canaryDagId = (dagId: string): string => `${dagId}${CANARY_SUFFIX}`;
export const canaryFile = (file: string): string => file.replace(/(\.py)?$/, `${CANARY_SUFFIX}.py`);

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * The canary's source: `text` (the file `file` defining `dagId`) with the dag_id literal the static model located
 * renamed to `<dagId>__canary` and `"hangar-canary"` added to its tags — nothing else changes. Refused (with what to
 * do) when the file defines other DAGs, builds the DAG more than once, or the dag_id is not a string literal.
 */
export async function canaryText(text: string, file: string, dagId: string): Promise<string> {
  const edits = await withFileModel(text, (model) => {
    const defined = model.dags.filter((d) => d.dagId.known && d.dagId.value === dagId);
    if (defined.length === 0) throw new Error(`${file} does not define the DAG "${dagId}" with a dag_id Hangar can read without running the file.`);
    const others = model.dags.filter((d) => !defined.includes(d)).map((d) => (d.dagId.known ? d.dagId.value : `a DAG whose id is computed (${d.dagId.why})`));
    if (others.length > 0) throw new Error(`${file} also defines ${others.join(', ')}: a canary copies one file, so it must define "${dagId}" alone. Move "${dagId}" to a file of its own.`);
    const dag = defined[0]!;
    if (defined.length > 1 || dag.inLoop) throw new Error(`${file} builds "${dagId}" in a loop, a function or more than once: a canary needs one DAG(...) or @dag with a literal dag_id.`);
    return dagEdits(dag, dagId, file);
  });
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}

const literal = (value: string): string => JSON.stringify(value);

/** True for a plain string literal: no f-string interpolation, no implicit concatenation. */
function isStringLiteral(node: Node): boolean {
  return node.type === 'string' && node.descendantsOfType('interpolation').length === 0;
}

/** The edits of one DAG: its dag_id literal renamed (or given), its tags extended (or given). */
function dagEdits(dag: DagModel, dagId: string, file: string): Edit[] {
  const renamed = `dag_id=${literal(canaryDagId(dagId))}`;
  const tagged = `tags=[${literal(CANARY_TAG)}]`;
  const decorator = dag.kind === 'decorator' ? dagDecorator(dag, dagId, file) : undefined;
  // A bare `@dag`: the id is the function's name, and the decorator gets both arguments.
  if (decorator && !decorator.call) return [{ start: decorator.expression.endIndex, end: decorator.expression.endIndex, text: `(${renamed}, ${tagged})` }];
  const call = decorator?.call ?? dag.node;
  const edits: Edit[] = [];
  const added: string[] = [];
  const explicit = dag.args.get('dag_id') ?? (decorator ? undefined : positional(dag.node)[0]);
  if (!explicit) added.push(renamed);
  else if (!isStringLiteral(explicit)) {
    throw new Error(`The dag_id of "${dagId}" in ${file} is not a string literal (${explicit.text.slice(0, 60)}): a canary renames only a literal. Write dag_id="${dagId}" in the call.`);
  } else edits.push({ start: explicit.startIndex, end: explicit.endIndex, text: literal(canaryDagId(dagId)) });
  const tags = dag.args.get('tags');
  if (!tags) added.push(tagged);
  else edits.push(tagEdit(tags));
  if (added.length > 0) edits.push(keywordEdit(call, added.join(', ')));
  return edits;
}

/** The `@dag` / `@dag(...)` decorator of a decorated DAG. */
function dagDecorator(dag: DagModel, dagId: string, file: string): { expression: Node; call?: Node } {
  for (const child of dag.node.namedChildren) {
    const target = child?.type === 'decorator' ? decoratorTarget(child) : undefined;
    if (target && /(^|\.)dag$/.test(target.expression.text)) return target;
  }
  throw new Error(`Hangar could not find the @dag decorator of "${dagId}" in ${file}.`);
}

/** `"hangar-canary"` appended to a literal list of tags, or the tags expression unpacked into a new list. */
function tagEdit(tags: Node): Edit {
  if (tags.type === 'list') {
    const items = tags.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
    const last = items.at(-1);
    return last ? { start: last.endIndex, end: last.endIndex, text: `, ${literal(CANARY_TAG)}` } : { start: tags.startIndex, end: tags.endIndex, text: `[${literal(CANARY_TAG)}]` };
  }
  return { start: tags.startIndex, end: tags.endIndex, text: `[*(${tags.text}), ${literal(CANARY_TAG)}]` };
}

/** Adds keyword arguments after the call's last argument. */
function keywordEdit(call: Node, keywords: string): Edit {
  const list = call.childForFieldName('arguments');
  if (!list) throw new Error('Hangar could not read the arguments of the DAG call.');
  const args = list.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  const last = args.at(-1);
  if (!last) return { start: list.startIndex + 1, end: list.startIndex + 1, text: keywords };
  return { start: last.endIndex, end: last.endIndex, text: `, ${keywords}` };
}
