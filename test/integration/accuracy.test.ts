/**
 * Accuracy against the real Airflow: the DagBag of Airflow 3.3 (the primary target) and of the Airflow 3.4 beta is
 * the ground truth; the engine runs with the matching target (`target-airflow = "3.4"` for the beta).
 * (a) no error-level finding on any file DagBag imports cleanly (Airflow's and its providers' example
 *     DAGs, test/fixtures/clean, examples/);
 * (b) an error-level finding on every file DagBag rejects (test/fixtures/broken, broken files in
 *     examples/), on the line Airflow reports where it reports one;
 * (c) every dependency edge of Hangar's DAG model (between tasks whose ids it knows) is an edge Airflow builds.
 * Gaps the engine does not cover yet are listed in accuracy-known-misses.json and printed on every run;
 * a miss not on that list fails the test, and a listed gap that is closed is printed so it can be removed.
 * HANGAR_UPDATE_KNOWN_MISSES=1 rewrites the list with the current misses and fails, so the new list is reviewed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { acceptedLines, airflowExampleDagFolders, describeFinding, engineErrors as engineErrorsFor, findingOnLines, modelEdges as modelEdgesFor, pythonFilesUnder } from '../support/accuracy';
import { airflowPythonOrSkip, dagbagImport, REPO_ROOT, type AirflowLine, type DagBagResult, prerequisite } from '../support/airflow';
import { atLeastFloor } from '../support/floors';
import { analyzeSource } from '../../server/src/analysis/engine';
import { BROKEN_DIR, CLEAN_DIR, readManifest } from '../support/brokenCorpus';

const KNOWN_MISSES_FILE = path.join(__dirname, 'accuracy-known-misses.json');
const knownMisses = JSON.parse(readFileSync(KNOWN_MISSES_FILE, 'utf8')) as { falseErrors: string[]; missedErrors: string[] };

const relative = (file: string) => path.relative(REPO_ROOT, file);

function printReport(title: string, lines: string[]): void {
  if (lines.length) process.stdout.write(`\n${title} (${lines.length}):\n${lines.map((l) => `  - ${l}`).join('\n')}\n`);
}

/** Compares the current misses with the known list: a new miss fails; closed gaps are printed. */
function assertKnown(kind: 'falseErrors' | 'missedErrors', misses: Map<string, string>): void {
  const known = new Set(knownMisses[kind]);
  if (process.env.HANGAR_UPDATE_KNOWN_MISSES === '1') {
    // Rewriting the baseline is a review step, never a passing run: the test fails so the new list is read.
    knownMisses[kind] = [...misses.keys()].sort();
    writeFileSync(KNOWN_MISSES_FILE, `${JSON.stringify(knownMisses, null, 2)}\n`);
    assert.fail(`HANGAR_UPDATE_KNOWN_MISSES=1 rewrote ${kind} in ${relative(KNOWN_MISSES_FILE)}: review the diff, then run again without the variable`);
  }
  const fresh = [...misses.keys()].filter((key) => !known.has(key));
  const closed = [...known].filter((key) => !misses.has(key));
  printReport(`accuracy: known engine gaps (${kind}), listed in ${relative(KNOWN_MISSES_FILE)}`, [...misses].filter(([key]) => known.has(key)).map(([key, why]) => `${key}: ${why}`));
  printReport(`accuracy: ${kind} fixed since the list was written: remove them from ${relative(KNOWN_MISSES_FILE)}`, closed);
  assert.deepEqual(fresh.map((key) => `${key}: ${misses.get(key)}`), [], `new ${kind}`);
}

/** The Airflow 3 lines the accuracy tests run on: the primary target and the next release (a beta until it is final). */
export const ACCURACY_LINES: readonly Extract<AirflowLine, '3.3' | '3.4'>[] = ['3.3', '3.4'];

for (const line of ACCURACY_LINES) describe(`accuracy against Airflow ${line} DagBag`, () => {
  const engineErrors = (file: string) => engineErrorsFor(file, line);
  const modelEdges = (file: string) => modelEdgesFor(file, line);
  // the README's figures (the floors) are the primary target's; the beta's examples differ, its figures are printed
  const floor: typeof atLeastFloor = (...args) => (line === ACCURACY_LINES[0] ? atLeastFloor(...args) : undefined);
  let accepted: DagBagResult[] = [];
  let rejected: DagBagResult[] = [];
  let exampleCount = 0;
  let shippedExamples: string[] = [];

  before(async (t) => {
    const python = await airflowPythonOrSkip(t, line);
    if (!python) return;
    const exampleFolders = await airflowExampleDagFolders(python);
    const examples = exampleFolders.flatMap(pythonFilesUnder);
    shippedExamples = examples;
    const candidates = [...examples, ...pythonFilesUnder(CLEAN_DIR), ...pythonFilesUnder(path.join(REPO_ROOT, 'examples'))];
    const results = await dagbagImport(python, candidates);
    accepted = results.filter((r) => r.error === null);
    const shipped = new Set(examples);
    rejected = results.filter((r) => r.error !== null && !shipped.has(r.file));
    exampleCount = accepted.filter((r) => shipped.has(r.file)).length;
    const exampleDagFiles = accepted.filter((r) => shipped.has(r.file) && r.dag_ids.length > 0).length;
    const skippedExamples = results.filter((r) => r.error !== null && shipped.has(r.file));
    process.stdout.write(
      `accuracy (Airflow ${line}): ${accepted.length} files Airflow imports cleanly (${exampleCount} files shipped in ${exampleFolders.length} example_dags folders of the installed Airflow packages, ${exampleDagFiles} of them defining DAGs), ` +
        `${skippedExamples.length} shipped examples Airflow itself cannot import here (not used): ${skippedExamples.map((r) => path.basename(r.file)).join(', ') || 'none'}\n`,
    );
  });

  test('(a) no error-level finding on any file Airflow imports cleanly, including every shipped example DAG', async (t) => {
    if (!prerequisite(t, accepted.length, 'Airflow is not available, or its DagBag imported none of the clean files')) return;
    floor('shippedExampleFiles', exampleCount);
    floor('cleanFilesImported', accepted.length);
    const falseErrors = new Map<string, string>();
    for (const result of accepted) {
      const errors = await engineErrors(result.file);
      if (errors.length) falseErrors.set(relative(result.file).replace(/^.*site-packages\//, 'site-packages/'), errors.map(describeFinding).join('; '));
    }
    process.stdout.write(`accuracy (a): ${accepted.length} clean files checked, ${falseErrors.size} with an error-level finding\n`);
    assertKnown('falseErrors', falseErrors);
  });

  test('(b) an error-level finding on every file Airflow rejects, on the line Airflow reports', async (t) => {
    if (!prerequisite(t, accepted.length, 'Airflow is not available, or its DagBag imported none of the clean files')) return;
    const manifest = readManifest();
    const cases = [
      ...Object.entries(manifest.files).map(([name, entry]) => ({ file: path.join(BROKEN_DIR, name), line: entry.line, summary: entry.summary })),
      ...rejected.filter((r) => !r.file.startsWith(CLEAN_DIR)).map((r) => ({ file: r.file, line: r.line, summary: r.summary ?? '' })),
    ];
    const missed = new Map<string, string>();
    let onLine = 0;
    for (const { file, line, summary } of cases) {
      const errors = await engineErrors(file);
      const key = relative(file);
      if (!errors.length) {
        missed.set(key, `no error-level finding; Airflow: ${summary}${line ? ` (line ${line})` : ''}`);
        continue;
      }
      if (line === null) continue;
      const lines = await acceptedLines(readFileSync(file, 'utf8'), line);
      if (errors.some((finding) => findingOnLines(finding, lines))) onLine++;
      else missed.set(key, `error-level finding on the wrong line; Airflow reports line ${line} (${summary}); Hangar: ${errors.map(describeFinding).join('; ')}`);
    }
    const withLine = cases.filter((c) => c.line !== null).length;
    process.stdout.write(`accuracy (b): ${cases.length} rejected files checked (${withLine} with an Airflow line; ${onLine} matched on that line), ${missed.size} missed\n`);
    assertKnown('missedErrors', missed);
    floor('rejectedFilesOnAirflowLine', onLine);
  });

  test('(d) the security rules on every example DAG shipped with Airflow: no secret or injection finding, only the /tmp paths and os.system calls the README names', async (t) => {
    if (!prerequisite(t, shippedExamples.length, 'Airflow is not available')) return;
    atLeastFloor('shippedExampleFiles', shippedExamples.length);
    const found: Record<string, number> = {};
    for (const file of shippedExamples) {
      const { findings } = await analyzeSource({ path: file, source: readFileSync(file, 'utf8') });
      for (const finding of findings) if (finding.ruleId.startsWith('HGR3')) found[finding.ruleId] = (found[finding.ruleId] ?? 0) + 1;
    }
    assert.deepEqual(found, { HGR307: 2, HGR314: 6 }, 'security findings on the shipped example DAGs');
  });

  test('(c) every dependency the model finds is one Airflow builds: no cycle or graph edge that Airflow does not have', async (t) => {
    if (!prerequisite(t, accepted.length, 'Airflow is not available, or its DagBag imported none of the clean files')) return;
    let dags = 0;
    let matched = 0;
    let airflowOnly = 0;
    const extra: string[] = [];
    for (const result of accepted) {
      const ours = await modelEdges(result.file);
      for (const [dagId, airflowEdges] of Object.entries(result.edges)) {
        const edges = ours.get(dagId);
        if (!edges) continue;
        dags++;
        const theirs = new Set(airflowEdges);
        for (const edge of edges) {
          if (theirs.has(edge)) matched++;
          else extra.push(`${relative(result.file).replace(/^.*site-packages\//, 'site-packages/')} ${dagId}: ${edge}`);
        }
        airflowOnly += airflowEdges.filter((edge) => !edges.has(edge)).length;
      }
    }
    process.stdout.write(`accuracy (c): ${dags} DAGs compared, ${matched} of the model's edges are Airflow's, ${extra.length} are not; ${airflowOnly} of Airflow's edges are not in the model (tasks built in loops or factories, whose ids are not static)\n`);
    assert.deepEqual(extra, []);
    floor('modelEdgesMatched', matched);
    floor('modelEdgeRecall', Math.floor((matched / (matched + airflowOnly)) * 100) / 100, 'recall = model edges that are Airflow\'s / all of Airflow\'s edges');
  });
});
