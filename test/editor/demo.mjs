// `npm run demo`: serves Hangar in a real VS Code (code-server) on a scratch copy of examples/,
// with the extension loaded in development mode from this checkout, until Ctrl-C.
//
// Environment:
//   HANGAR_DEMO_PORT=8080   serve on this port instead of a free one (still on 127.0.0.1)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer, workbenchUrl } from './codeServer.mjs';
import { install } from './install.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const demoDir = path.join(repoRoot, '.cache', 'demo');
const say = (message) => console.log(`[demo] ${message}`);

async function main() {
  say('step 1/4: code-server (a real VS Code 1.100.3) and the system packages it needs');
  install();

  say('step 2/4: the extension bundles (built by "node esbuild.mjs" just before this script)');
  if (!existsSync(path.join(repoRoot, 'dist', 'client', 'extension.js'))) {
    throw new Error('dist/client/extension.js is missing: start the demo with "npm run demo", which builds first.');
  }

  say(`step 3/4: a fresh copy of examples/ in ${path.relative(repoRoot, demoDir)}/workspace (your checkout stays untouched)`);
  rmSync(demoDir, { recursive: true, force: true });
  const workspace = path.join(demoDir, 'workspace');
  mkdirSync(demoDir, { recursive: true });
  cpSync(path.join(repoRoot, 'examples'), workspace, { recursive: true });
  say('          and the three example repositories as local Git remotes under workspace/.remotes/ (airflow-repos.yaml points at them)');
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'example-remotes.mjs'), workspace], { stdio: 'inherit' });

  say('step 4/4: starting code-server on 127.0.0.1');
  const port = process.env.HANGAR_DEMO_PORT ? Number(process.env.HANGAR_DEMO_PORT) : undefined;
  const server = await startCodeServer({ scratchDir: path.join(demoDir, 'editor'), folder: workspace, port });
  const url = workbenchUrl({ ...server, extensionPath: repoRoot });

  console.log('\nHangar is running in VS Code. Open this URL in a browser on this machine:\n');
  console.log(`  ${url}\n`);
  console.log('Try: open company-workflows/dags/broken_syntax.py (syntax error squiggle) and legacy_imports.py (quick fixes),');
  console.log('the Hangar icon in the activity bar (Repositories: "Sync All"; Deployments), "Hangar: Open Marketplace",');
  console.log('"Hangar: Show DAG Graph" on a DAG, and the Testing view (set hangar.python to an Airflow interpreter).');
  console.log(`code-server log: ${path.relative(repoRoot, server.logFile)}. Press Ctrl-C to stop.\n`);

  await new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, resolve);
  });
  say('stopping code-server');
  await server.stop();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`[demo] ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
