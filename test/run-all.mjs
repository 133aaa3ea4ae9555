// `npm test`: type-check, lint, build, unit and integration tests, then the real-editor suite.
// Every stage runs even when an earlier one failed (except the editor suite, which needs the build),
// its output stays visible, and the last line is the total: "N passed, M failed".
// `node test/run-all.mjs unit integration` runs only the stages named (keys below).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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

/** Counts from the node test runner's spec reporter summary ("ℹ pass N", "ℹ fail N"). */
function nodeTestCounts(output) {
  return { passed: lastNumber(output, /^ℹ pass (\d+)$/gm), failed: lastNumber(output, /^ℹ fail (\d+)$/gm) };
}

/** Counts from test/editor/run.mjs's closing line ("editor: N passed, M failed"). */
function editorCounts(output) {
  const match = [...output.matchAll(/^editor: (\d+) passed, (\d+) failed/gm)].at(-1);
  return match ? { passed: Number(match[1]), failed: Number(match[2]) } : {};
}

function nodeTestStage(name, dir) {
  return {
    key: dir,
    name,
    async run() {
      const files = testFiles(dir);
      if (files.length === 0) {
        console.log(`(no test/${dir}/**/*.test.ts files)`);
        return { code: 0, passed: 0, failed: 0 };
      }
      const result = await run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files]);
      return { code: result.code, ...nodeTestCounts(result.output) };
    },
  };
}

const stages = [
  { key: 'typecheck', name: 'typecheck (tsc -b)', run: () => run(bin('tsc'), ['-b']) },
  { key: 'lint', name: 'lint (eslint .)', run: () => run(bin('eslint'), ['.']) },
  // The build comes first: integration tests drive the built language server and CLI as a user would.
  { key: 'build', name: 'build (node esbuild.mjs)', run: () => run(process.execPath, ['esbuild.mjs']) },
  nodeTestStage('unit tests', 'unit'),
  nodeTestStage('integration tests', 'integration'),
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

const summary = [];
for (const stage of stages.filter((s) => wanted.length === 0 || wanted.includes(s.key))) {
  const startedAt = Date.now();
  console.log(`\n=== ${stage.name} ===`);
  const dependency = stage.needs && summary.find((s) => s.name === stage.needs);
  const result = dependency && !dependency.ok ? { code: 1, note: `not run: ${stage.needs} failed` } : await stage.run();
  const ok = result.code === 0 && !(result.failed > 0);
  let failed = result.failed ?? 0;
  if (!ok && failed === 0) failed = 1; // a type error or a crash is a failure even without a failing test
  summary.push({ name: stage.name, ok, passed: result.passed ?? 0, failed, seconds: (Date.now() - startedAt) / 1000, note: result.note });
}

console.log('\n=== summary ===');
for (const s of summary) {
  const counts = s.passed || s.failed ? `  ${s.passed} passed, ${s.failed} failed` : '';
  console.log(`${s.ok ? 'ok  ' : 'FAIL'}  ${s.name}  (${s.seconds.toFixed(1)} s)${counts ? ` -${counts}` : ''}${s.note ? `  (${s.note})` : ''}`);
}
const passed = summary.reduce((sum, s) => sum + s.passed, 0);
const failed = summary.reduce((sum, s) => sum + s.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(summary.every((s) => s.ok) ? 0 : 1);
