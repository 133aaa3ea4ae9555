// `npm test`: type-check, lint, build, unit and integration tests, then the real-editor suite.
// Every stage runs even when an earlier one failed (except the tests, which need the build), its output
// stays visible, and the last line is the total: "N passed, M failed, S skipped, C cancelled".
// A cancelled test, or a stage that finds no test, fails the run; under CI=true a skipped test does too,
// because CI must prove everything the README promises.
// `node test/run-all.mjs unit integration` runs only the stages named (keys below).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Test files run at once. Node's default, one fewer than the cores, is 1 on a 2-core machine; most integration
 * files wait on git, Airflow or a child process, so two at a time use the second core (see the README, Test).
 */
const TEST_CONCURRENCY = Number(process.env.HANGAR_TEST_CONCURRENCY ?? 2);
const bin = (name) => path.join(repoRoot, 'node_modules', '.bin', name);

/** Node 20's test runner does not expand globs: find test/<dir>/**\/*.test.ts here. */
function testFiles(dir) {
  const found = [];
  const walk = (current) => {
    if (!existsSync(current)) return;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.test.ts')) found.push(path.relative(repoRoot, full));
    }
  };
  walk(path.join(repoRoot, 'test', dir));
  return found.sort();
}

/** Runs a command with its output shown as it comes, and returns that output for counting. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', (error) => resolve({ code: 1, output: `${output}\n${error.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const lastNumber = (output, pattern) => {
  const matches = [...output.matchAll(pattern)];
  return matches.length ? Number(matches.at(-1)[1]) : undefined;
};

/** Counts from the node test runner's spec reporter summary ("ℹ pass N", "ℹ skipped N", ...). */
function nodeTestCounts(output) {
  const count = (label) => lastNumber(output, new RegExp(`^ℹ ${label} (\\d+)$`, 'gm'));
  return { passed: count('pass'), failed: count('fail'), skipped: (count('skipped') ?? 0) + (count('todo') ?? 0), cancelled: count('cancelled') };
}

/** Counts from test/editor/run.mjs's closing line ("editor: N passed, M failed[, S skipped]"). */
function editorCounts(output) {
  const match = [...output.matchAll(/^editor: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/gm)].at(-1);
  return match ? { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[3] ?? 0) } : {};
}

function nodeTestStage(name, dir) {
  return {
    key: dir,
    name,
    async run() {
      const files = testFiles(dir);
      if (files.length === 0) return { code: 1, note: `no test/${dir}/**/*.test.ts files found` };
      const result = await run(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${TEST_CONCURRENCY}`, '--test-reporter=spec', ...files]);
      return { code: result.code, ...nodeTestCounts(result.output) };
    },
  };
}

const stages = [
  { key: 'typecheck', name: 'typecheck (tsc -b)', run: () => run(bin('tsc'), ['-b']) },
  { key: 'lint', name: 'lint (eslint .)', run: () => run(bin('eslint'), ['.']) },
  // The build comes first: integration tests drive the built language server and CLI as a user would.
  { key: 'build', name: 'build (node esbuild.mjs)', run: () => run(process.execPath, ['esbuild.mjs']) },
  // Tests run the shipped bundles in dist/ (the CLI, the language server), so they need the build.
  { ...nodeTestStage('unit tests', 'unit'), needs: 'build (node esbuild.mjs)' },
  { ...nodeTestStage('integration tests', 'integration'), needs: 'build (node esbuild.mjs)' },
  {
    key: 'editor',
    name: 'real-editor suite (code-server + Chromium)',
    needs: 'build (node esbuild.mjs)',
    run: async () => {
      const result = await run(process.execPath, ['test/editor/run.mjs']);
      return { code: result.code, ...editorCounts(result.output) };
    },
  },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((key) => !stages.some((stage) => stage.key === key));
if (unknown.length > 0) {
  console.error(`Unknown stage ${unknown.join(', ')}; stages: ${stages.map((stage) => stage.key).join(', ')}`);
  process.exit(2);
}

const inCi = /^(1|true)$/i.test(process.env.CI ?? '');

/** Why a stage's result is a failure, or undefined when it passed. */
function failureOf(result) {
  if (result.note && result.code !== 0) return result.note;
  if (result.failed > 0) return `${result.failed} failed`;
  if (result.cancelled > 0) return `${result.cancelled} cancelled`;
  if (inCi && result.skipped > 0) return `${result.skipped} skipped under CI=true: a prerequisite is missing (see the skip reasons above)`;
  if (result.code !== 0) return `exit code ${result.code}`;
  return undefined;
}

const summary = [];
for (const stage of stages.filter((s) => wanted.length === 0 || wanted.includes(s.key))) {
  const startedAt = Date.now();
  console.log(`\n=== ${stage.name} ===`);
  const dependency = stage.needs && summary.find((s) => s.name === stage.needs);
  const result = dependency && !dependency.ok ? { code: 1, note: `not run: ${stage.needs} failed` } : await stage.run();
  const failure = failureOf(result);
  // A type error or a crash is a failure even without a failing test.
  const failed = failure && !(result.failed > 0) ? 1 : (result.failed ?? 0);
  summary.push({
    name: stage.name,
    ok: !failure,
    passed: result.passed ?? 0,
    failed,
    skipped: result.skipped ?? 0,
    cancelled: result.cancelled ?? 0,
    seconds: (Date.now() - startedAt) / 1000,
    failure,
  });
}

const countsOf = (s) => `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped, ${s.cancelled} cancelled`;
console.log('\n=== summary ===');
for (const s of summary) {
  const counts = s.passed || s.failed || s.skipped || s.cancelled ? ` - ${countsOf(s)}` : '';
  console.log(`${s.ok ? 'ok  ' : 'FAIL'}  ${s.name}  (${s.seconds.toFixed(1)} s)${counts}${s.failure ? `  (${s.failure})` : ''}`);
}
const total = (key) => summary.reduce((sum, s) => sum + s[key], 0);
console.log(countsOf({ passed: total('passed'), failed: total('failed'), skipped: total('skipped'), cancelled: total('cancelled') }));
process.exit(summary.every((s) => s.ok) ? 0 : 1);
