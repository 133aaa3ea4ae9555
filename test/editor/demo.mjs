// `npm run demo`: the whole product on this machine until Ctrl-C. A real VS Code (code-server) with Hangar loaded
// from this checkout in development mode, on a scratch copy of examples/ whose repositories are local Git remotes;
// a real Airflow 3 for each environment of its airflow-repos.yaml (staging, prod); the sample catalog.
//
// Environment:
//   HANGAR_DEMO_PORT=8080   serve VS Code on this port instead of a free one (still on 127.0.0.1)
//   HANGAR_DEMO_DIR=DIR     scratch folder (default .cache/demo), emptied at start
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { ensureSystemPackages } from '../../scripts/system-packages.mjs';
import { startCodeServer, workbenchUrl } from './codeServer.mjs';
import { install } from './install.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const demoDir = path.resolve(process.env.HANGAR_DEMO_DIR ?? path.join(repoRoot, '.cache', 'demo'));
const workspace = path.join(demoDir, 'workspace');
const configFile = path.join(workspace, 'airflow-repos.yaml');
const cli = path.join(repoRoot, 'dist', 'cli', 'hangar.js');
const startedAt = Date.now();
const say = (message) => console.log(`[demo ${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}`);

/** Everything the demo started, stopped in reverse on Ctrl-C, SIGTERM, an error, or when Airflow dies. */
const running = { airflow: undefined, server: undefined };
let stopping;

/** The environments of the workspace's airflow-repos.yaml that have a folder target and an Airflow. */
function demoEnvironments() {
  const environments = YAML.parse(readFileSync(configFile, 'utf8')).environments ?? [];
  return environments
    .map((env, index) => ({ index, name: env.name, dags: env.target?.kind === 'folder' ? path.resolve(workspace, env.target.path) : undefined, airflow: env.airflow }))
    .filter((env) => env.dags && env.airflow);
}

/** Writes each environment's real Airflow address into the workspace copy, in place: the rest of the text is kept. */
function pointEnvironmentsAt(environments, started) {
  let text = readFileSync(configFile, 'utf8');
  const document = YAML.parseDocument(text);
  const edits = environments.map((env) => ({ range: document.getIn(['environments', env.index, 'airflow', 'url'], true).range, url: started.environments[env.name].url }));
  for (const { range, url } of edits.sort((a, b) => b.range[0] - a.range[0])) text = text.slice(0, range[0]) + url + text.slice(range[1]);
  writeFileSync(configFile, text);
}

/** Starts test/editor/demoAirflow.ts; resolves with what it prints once every Airflow answers. */
function startAirflows(environments) {
  for (const env of environments) mkdirSync(env.dags, { recursive: true });
  const tmp = path.join(demoDir, 'tmp'); // AIRFLOW_HOMEs: whatever a killed Airflow leaves goes with the demo folder
  mkdirSync(tmp, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test', 'editor', 'demoAirflow.ts'), ...environments.map((env) => `${env.name}=${env.dags}`)], {
    cwd: repoRoot,
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  running.airflow = child;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const ready = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
    });
    exited.then((how) => reject(new Error(`Airflow did not start (demoAirflow.ts ended with ${how}); the reason is above.`)));
  });
  return { ready, exited };
}

/** A `hangar` command for the editor's integrated terminal: this checkout's CLI bundle. */
function cliOnPath() {
  const bin = path.join(demoDir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'hangar'), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
  chmodSync(path.join(bin, 'hangar'), 0o755);
  return bin;
}

async function stopAll() {
  stopping ??= (async () => {
    if (running.server) {
      say('stopping code-server');
      await running.server.stop();
    }
    const airflow = running.airflow;
    if (airflow && airflow.exitCode === null && airflow.signalCode === null) {
      say('stopping Airflow');
      const gone = new Promise((resolve) => airflow.once('exit', resolve));
      airflow.stdin.end(); // demoAirflow.ts stops its Airflows when its input closes
      const timer = setTimeout(() => airflow.kill('SIGTERM'), 30_000);
      await gone;
      clearTimeout(timer);
    }
  })();
  return stopping;
}

async function main() {
  const interrupted = new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => resolve(signal));
  });

  say('step 1/6: system packages (apt-get installs the missing ones when it can)');
  ensureSystemPackages('demo', '"npm run demo"');
  if (!existsSync(path.join(repoRoot, 'dist', 'client', 'extension.js')) || !existsSync(cli)) {
    throw new Error('dist/ is missing: start the demo with "npm run demo", which builds first.');
  }

  say(`step 2/6: a fresh copy of examples/ in ${workspace}, its repositories as local Git remotes, synced`);
  rmSync(demoDir, { recursive: true, force: true });
  mkdirSync(demoDir, { recursive: true });
  cpSync(path.join(repoRoot, 'examples'), workspace, { recursive: true });
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'example-remotes.mjs'), workspace], { stdio: 'inherit' });
  execFileSync(process.execPath, [cli, 'repos', 'sync'], { cwd: workspace, stdio: ['ignore', 'ignore', 'inherit'] });

  const environments = demoEnvironments();
  say(`step 3/6: a real Airflow 3 for ${environments.map((env) => env.name).join(' and ')} on 127.0.0.1 (starts in the background)`);
  const airflow = startAirflows(environments);

  say('step 4/6: code-server, a real VS Code 1.100.3 (installed into .cache/code-server on first use)');
  install();

  say('step 5/6: waiting for Airflow');
  const started = await Promise.race([airflow.ready, interrupted.then(() => undefined)]);
  if (!started) return;
  pointEnvironmentsAt(environments, started);
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  // The Airflow environment for dependency checks and the Testing view: the demo Airflow's own interpreter.
  writeFileSync(path.join(workspace, '.vscode', 'settings.json'), `${JSON.stringify({ 'hangar.python': started.python }, null, 2)}\n`);

  say('step 6/6: starting code-server on 127.0.0.1');
  const port = process.env.HANGAR_DEMO_PORT ? Number(process.env.HANGAR_DEMO_PORT) : undefined;
  // Airflow credentials reach the extension (and the integrated terminal's hangar) as the CLI's variables, never a file.
  const editorEnv = { HANGAR_AIRFLOW_USERNAME: started.username, HANGAR_AIRFLOW_PASSWORD: started.password, PATH: `${cliOnPath()}:${process.env.PATH}` };
  running.server = await startCodeServer({ scratchDir: path.join(demoDir, 'editor'), folder: workspace, port, env: editorEnv });
  const url = workbenchUrl({ ...running.server, extensionPath: repoRoot });
  const rel = (file) => (file.startsWith(`${repoRoot}${path.sep}`) ? path.relative(repoRoot, file) : file);

  console.log(`\nHangar is running (ready in ${((Date.now() - startedAt) / 1000).toFixed(0)} s). Open in a browser on this machine:\n`);
  console.log(`  VS Code   ${url}`);
  for (const env of environments) console.log(`  Airflow   ${env.name.padEnd(8)} ${started.environments[env.name].url}   user ${started.username}, password ${started.password}`);
  console.log(`
Try:
  - company-workflows/dags/broken_syntax.py and legacy_imports.py: live diagnostics, hover, quick fixes.
  - Hangar in the activity bar. Deployments: Deploy… → staging → a version. v1.0 and v1.1 (tags, or their
    commits) pass the gate and Airflow confirms the deploy; main holds two broken files and the gate blocks it.
    Then Rollback…, and Promote… staging → prod. Watch the DAGs appear in the Airflow UI.
  - Hangar: Open Marketplace: the "starter" catalog (examples/dag-catalog); install a template into a repository.
  - The Testing view: integrity tests and DAG tests run with the demo Airflow's Python (hangar.python).
  - The integrated terminal has the CLI: hangar check company-workflows, hangar history --env staging.
Logs: code-server ${rel(running.server.logFile)}; Airflow ${environments.map((env) => rel(started.environments[env.name].logs)).join(', ')}.
Press Ctrl-C to stop everything.
`);

  const ended = await Promise.race([interrupted, airflow.exited.then((how) => ({ airflowDied: how }))]);
  if (ended?.airflowDied !== undefined) throw new Error(`Airflow stopped unexpectedly (${ended.airflowDied}); see its logs above`);
}

main().then(
  () => stopAll().then(() => process.exit(0)),
  (error) => {
    console.error(`[demo] ${error instanceof Error ? error.message : error}`);
    stopAll().then(() => process.exit(1));
  },
);
