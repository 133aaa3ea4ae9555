// Runs test/editor/demo.mjs as a user runs `npm run demo` in a terminal (its own process group, so an interrupt
// reaches everything the terminal would), reads the addresses it prints, and stops it like Ctrl-C.
// Used by the demo's integration test and scripts/demo-screenshots.mjs.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const demoScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo.mjs');

/** What the demo printed once it was ready. */
function parseReady(output) {
  const editorUrl = /^ {2}VS Code {3}(\S+)$/m.exec(output)?.[1];
  const airflow = {};
  let username;
  let password;
  for (const [, name, url, user, secret] of output.matchAll(/^ {2}Airflow {3}(\S+)\s+(http:\/\/\S+)\s+user (\S+), password (\S+)$/gm)) {
    airflow[name] = url;
    username = user;
    password = secret;
  }
  return { editorUrl, airflow, username, password };
}

/**
 * Starts the demo with HANGAR_DEMO_DIR=`dir` and resolves once it prints "Press Ctrl-C". `onOutput` sees its
 * output as it comes (stdout and stderr).
 */
export async function startDemo({ dir, env = {}, timeoutMs = 600_000, onOutput = () => {} }) {
  const child = spawn(process.execPath, [demoScript], { env: { ...process.env, ...env, HANGAR_DEMO_DIR: dir }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk) => {
    output += chunk;
    onOutput(String(chunk));
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));

  const interrupt = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
    return exited;
  };

  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo was not ready within ${timeoutMs / 1000} s:\n${output.slice(-3000)}`)), timeoutMs);
    const check = () => {
      if (!output.includes('Press Ctrl-C to stop everything.')) return;
      clearTimeout(timer);
      resolve(parseReady(output));
    };
    child.stdout.on('data', check);
    exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`the demo ended (${how}) before it was ready:\n${output.slice(-3000)}`));
    });
  }).catch(async (error) => {
    await interrupt();
    throw error;
  });
  return { ...ready, pid: child.pid, workspace: path.join(dir, 'workspace'), output: () => output, exited, interrupt };
}

/** Processes whose environment mentions `dir` (HOME, TMPDIR, AIRFLOW_HOME of what the demo started), from /proc. */
export function processesUsing(dir) {
  const found = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(dir)) found.push({ pid: Number(pid), command: readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim() });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
