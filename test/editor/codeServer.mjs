// Starts and stops code-server on a free loopback port, with every folder it writes to
// (HOME, TMPDIR, XDG_*, user data, extensions) inside one scratch folder.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { codeServerEntry } from './install.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Environment that keeps code-server, its extension host and Chromium out of the real home folder. */
export function scratchEnv(scratchDir) {
  const dirs = {
    HOME: 'home',
    TMPDIR: 'tmp',
    XDG_CONFIG_HOME: 'home/.config',
    XDG_DATA_HOME: 'home/.local/share',
    XDG_CACHE_HOME: 'home/.cache',
    XDG_STATE_HOME: 'home/.local/state',
    XDG_RUNTIME_DIR: 'runtime',
  };
  const env = {};
  for (const [name, relative] of Object.entries(dirs)) {
    env[name] = path.join(scratchDir, relative);
    mkdirSync(env[name], { recursive: true, mode: 0o700 });
  }
  return env;
}

async function waitUntilReady(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs / 1000} s (${lastProblem})`);
}

/**
 * `restricted`: keep Workspace Trust on, so the folder opens in Restricted Mode (no startup prompt to answer).
 * @param {{ scratchDir: string, folder: string, env?: Record<string,string>, port?: number, timeoutMs?: number, restricted?: boolean }} options
 * @returns {Promise<{ port: number, origin: string, folder: string, logFile: string, env: Record<string,string>, stop(): Promise<void> }>}
 */
export async function startCodeServer({ scratchDir, folder, env = {}, port: wantedPort, timeoutMs = 30_000, restricted = false }) {
  const port = wantedPort ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const userDataDir = path.join(scratchDir, 'code-server', 'user-data');
  const extensionsDir = path.join(scratchDir, 'code-server', 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        // Without this the workbench opens in Restricted Mode (what the restricted pass wants, without the prompt).
        'security.workspace.trust.enabled': restricted,
        'security.workspace.trust.startupPrompt': 'never',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'git.enabled': false,
      },
      null,
      2,
    ),
  );
  const childEnv = { ...process.env, ...scratchEnv(scratchDir), ...env };
  const logFile = path.join(scratchDir, 'code-server.log');
  const log = createWriteStream(logFile);
  const args = [
    codeServerEntry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
  ];
  // Own process group, so stop() ends code-server together with its extension host and server children.
  const child = spawn(process.execPath, args, { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const signalGroup = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    signalGroup('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 5000))]);
    if (!killed) signalGroup('SIGKILL');
    await exited;
  };

  try {
    await waitUntilReady(`${origin}/?folder=${encodeURIComponent(folder)}`, child, timeoutMs);
  } catch (error) {
    await stop();
    log.end();
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(`${error instanceof Error ? error.message : error}\n--- code-server log (${logFile}) ---\n${tail}`);
  }
  return { port, origin, folder, logFile, env: childEnv, stop };
}

/** The workbench URL that opens `folder` with the extension in development mode (and a test module if given). */
export function workbenchUrl({ origin, port, folder, extensionPath, testsPath }) {
  const remote = (absolute) => `vscode-remote://127.0.0.1:${port}${absolute}`;
  const payload = [['extensionDevelopmentPath', remote(extensionPath)]];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  return `${origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
