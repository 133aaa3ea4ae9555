/**
 * The equivalence harness for speed work: dumps, for every file of the benchmark corpus, test/fixtures,
 * examples, the example DAGs shipped in the Airflow venv and the editor benchmark's shapes, the whole DAG model
 * (DAGs, tasks, groups, edges with ranges, imports, parse-time and name answers) and the in-process findings, plus
 * the `hangar check --format json` report of each of those sets. A speed change must leave every byte as it was:
 *
 *   node esbuild.mjs && node --stack-size=4000 --import tsx test/bench/modelDump.ts --out test-results/model-dump/base   # before
 *   node esbuild.mjs && node --stack-size=4000 --import tsx test/bench/modelDump.ts --out test-results/model-dump/new --against test-results/model-dump/base
 *
 * The larger stack keeps the dense 10,000-line shape deterministic: the cycle rule (HGR007) walks a 5,000-task
 * chain recursively, which on Node's default stack fails or not depending on how much stack the caller used.
 *
 * `--against DIR` compares with an earlier dump and exits 1 at the first difference; `--cli FILE` picks the
 * bundled CLI (default dist/cli/hangar.js, so build first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeTree } from '../../server/src/analysis/engine';
import type { DagFileModel, EdgeModel, ImportModel, Known, TaskGroupModel, TaskModel } from '../../server/src/analysis/model/types';
import { createPythonParser, type Node, type Tree } from '../../server/src/analysis/parser';
import { ensureAirflowVenv } from '../support/airflow';
import { REPO_ROOT } from '../support/venv';
import { benchCorpusFiles } from './corpus';
import { generatedDag } from './shapes';
import { visitNodes } from './treeNodes';

function pythonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return pythonFiles(full);
      return entry.name.endsWith('.py') ? [full] : [];
    });
}

/** Every `example_dags` folder below the venv's site-packages (Airflow's and the providers'). */
function exampleDagFolders(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const full = path.join(dir, entry.name);
    if (entry.name === 'example_dags') found.push(full);
    else exampleDagFolders(full, found);
  }
  return found;
}

async function fileSets(): Promise<Record<string, string[]>> {
  const python = await ensureAirflowVenv();
  const venv = path.dirname(path.dirname(python));
  const sitePackages = readdirSync(path.join(venv, 'lib')).map((lib) => path.join(venv, 'lib', lib, 'site-packages')).filter(existsSync);
  return {
    corpus: benchCorpusFiles(1000),
    fixtures: pythonFiles(path.join(REPO_ROOT, 'test', 'fixtures')),
    examples: pythonFiles(path.join(REPO_ROOT, 'examples')),
    airflow: sitePackages.flatMap((dir) => exampleDagFolders(dir)).flatMap(pythonFiles),
  };
}

/** The editor benchmark's files, analysed in process only (they are not on disk). */
const SHAPES: Record<string, string> = Object.fromEntries(
  ([[1000, 'sparse'], [1000, 'dense'], [10000, 'sparse'], [10000, 'dense']] as const).map(([lines, shape]) => [`${shape}-${lines}.py`, generatedDag(lines, shape)]),
);

const span = (node: Node | undefined): string | undefined =>
  node && `${node.type} ${node.startPosition.row}:${node.startPosition.column}-${node.endPosition.row}:${node.endPosition.column}`;

const known = (value: Known<string>) => (value.known ? { value: value.value } : { unknown: value.why });

const args = (map: ReadonlyMap<string, Node> | undefined) => map && [...map].map(([key, node]) => [key, span(node)]);

function task(t: TaskModel) {
  return {
    variable: t.variable, taskId: known(t.taskId), localId: known(t.localId), operator: t.operator, qualifiedOperator: t.qualifiedOperator,
    kind: t.kind, node: span(t.node), args: args(t.args), expandArgs: args(t.expandArgs), mapped: t.mapped, groupId: t.groupId,
    inLoop: t.inLoop, repeatedInLoop: t.repeatedInLoop, loopIds: t.loopIds, branch: t.branch,
  };
}

const taskRef = (t: TaskModel) => `${t.taskId.known ? t.taskId.value : '?'} @ ${span(t.node)}`;
const edge = (e: EdgeModel) => [taskRef(e.upstream), taskRef(e.downstream), span(e.node)];

function group(g: TaskGroupModel) {
  return { groupId: known(g.groupId), localId: known(g.localId), node: span(g.node), variable: g.variable, parentId: g.parentId, callSite: span(g.callSite), inLoop: g.inLoop, branch: g.branch };
}

function importModel(i: ImportModel) {
  return { module: i.module, alias: i.alias, node: span(i.node), moduleNode: span(i.moduleNode), names: i.names.map((n) => ({ name: n.name, alias: n.alias, node: span(n.node) })) };
}

/** Identifier texts of the whole file, for the name questions the rules ask. */
function identifiers(tree: Tree): string[] {
  const names = new Set<string>();
  visitNodes(tree, (cursor) => {
    if (cursor.nodeType === 'identifier') names.add(cursor.nodeText);
  });
  return [...names].sort();
}

function dumpModel(model: DagFileModel, tree: Tree) {
  const names = identifiers(tree);
  return {
    looksLikeDagFile: model.looksLikeDagFile,
    imports: model.imports.map(importModel),
    dags: model.dags.map((d) => ({
      dagId: known(d.dagId), kind: d.kind, node: span(d.node), args: args(d.args), variable: d.variable, called: d.called, callSite: span(d.callSite),
      inLoop: d.inLoop, branch: d.branch, defaultArgs: args(d.defaultArgs),
      tasks: d.tasks.map(task), groups: d.groups.map(group), edges: d.edges.map(edge),
    })),
    orphanTasks: model.orphanTasks.map(task),
    crossDagEdges: model.crossDagEdges.map(edge),
    undefinedDependencyNames: model.undefinedDependencyNames.map(span),
    topLevelStatements: model.topLevelStatements.map(span),
    runtimeFunctions: model.runtimeFunctions.map(span),
    calls: model.calls.map((call) => `${span(call)}${model.isParseTime(call) ? '' : ' runtime'}`),
    unbound: names.filter((name) => !model.isBound(name)),
    qualified: names.flatMap((name) => {
      const qualified = model.qualifiedName(name);
      return qualified === undefined ? [] : [`${name} -> ${qualified}`];
    }),
  };
}

interface Options {
  out: string;
  against?: string;
  cli: string;
}

function parseOptions(argv: string[]): Options {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const out = value('--out');
  if (!out) throw new Error('usage: modelDump.ts --out DIR [--against BASELINE_DIR] [--cli dist/cli/hangar.js]');
  return { out: path.resolve(out), against: value('--against') && path.resolve(value('--against')!), cli: path.resolve(value('--cli') ?? path.join(REPO_ROOT, 'dist', 'cli', 'hangar.js')) };
}

const relative = (file: string) => path.relative(REPO_ROOT, file).split(path.sep).join('/');

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  rmSync(options.out, { recursive: true, force: true });
  mkdirSync(options.out, { recursive: true });
  const sets = await fileSets();
  const parser = await createPythonParser();
  const sources: [string, string, string][] = [
    ...Object.entries(sets).flatMap(([set, files]) => files.map((file): [string, string, string] => [set, relative(file), readFileSync(file, 'utf8')])),
    ...Object.entries(SHAPES).map(([name, source]): [string, string, string] => ['shapes', name, source]),
  ];
  const lines: Record<string, string[]> = {};
  for (const [set, file, source] of sources) {
    const tree = parser.parse(source)!;
    try {
      const { model, findings } = analyzeTree({ path: file, source, tree });
      (lines[set] ??= []).push(JSON.stringify({ file, model: dumpModel(model, tree), findings }));
    } finally {
      tree.delete();
    }
  }
  parser.delete();
  for (const [set, entries] of Object.entries(lines)) writeFileSync(path.join(options.out, `model-${set}.jsonl`), `${entries.join('\n')}\n`);
  for (const [set, files] of Object.entries(sets)) writeFileSync(path.join(options.out, `check-${set}.json`), checkReports(options.cli, files));
  const counts = Object.entries(sets).map(([set, files]) => `${set} ${files.length}`).join(', ');
  console.log(`dumped ${sources.length} files (${counts}, shapes ${Object.keys(SHAPES).length}) into ${relative(options.out)}`);
  if (options.against) process.exitCode = compare(options.against, options.out) ? 0 : 1;
}

/** `--no-cache` where the CLI has a cache (a build from before the cache has neither). */
const uncached = (cli: string): string[] => (execFileSync(process.execPath, [cli, 'check', '--help'], { encoding: 'utf8' }).includes('--no-cache') ? ['--no-cache'] : []);

/** `hangar check --format json` of the files; 0 and 1 are reports, anything else is recorded with its message. */
function runCheck(cli: string, files: readonly string[]): { status: number; output: string } {
  try {
    return { status: 0, output: execFileSync(process.execPath, [cli, 'check', ...uncached(cli), '--format', 'json', ...files.map(relative)], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 30, stdio: 'pipe' }) };
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    if (failed.status === undefined || failed.status === null) throw error;
    return { status: failed.status, output: failed.status === 1 ? failed.stdout ?? '' : failed.stderr ?? '' };
  }
}

/** The reports of a set: one check over all of it, or one per folder when a folder's config is rejected (exit 2). */
function checkReports(cli: string, files: readonly string[]): string {
  const whole = runCheck(cli, files);
  if (whole.status !== 2) return whole.output;
  const byFolder = new Map<string, string[]>();
  for (const file of files) byFolder.set(path.dirname(file), [...(byFolder.get(path.dirname(file)) ?? []), file]);
  return [...byFolder].map(([folder, inFolder]) => {
    const { status, output } = runCheck(cli, inFolder);
    return `== ${relative(folder)}: exit ${status}\n${output.split(REPO_ROOT).join('<repo>')}`;
  }).join('\n');
}

/** True when every file of `baseline` is byte-identical in `current`; prints the first differing line of each that is not. */
function compare(baseline: string, current: string): boolean {
  let same = true;
  for (const name of readdirSync(baseline).sort()) {
    const before = readFileSync(path.join(baseline, name), 'utf8');
    const after = existsSync(path.join(current, name)) ? readFileSync(path.join(current, name), 'utf8') : '';
    if (before === after) continue;
    same = false;
    const a = before.split('\n');
    const b = after.split('\n');
    const line = a.findIndex((text, i) => text !== b[i]);
    console.log(`DIFFERENT ${name} at line ${line + 1}:\n  before: ${a[line]?.slice(0, 600)}\n  after:  ${b[line]?.slice(0, 600)}`);
  }
  console.log(same ? `identical to ${relative(baseline)}` : `NOT identical to ${relative(baseline)}`);
  return same;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
