import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pythonScript } from '../../pyenv/scripts';
import type { VerifyEnvironment } from './environments';
import type { Isolation } from './types';

/** Everything a DAG's output may add to a verification, before the launcher cuts it off. */
const OUTPUT_LIMIT = 1024 * 1024;
const SYSTEM_READS = ['/usr', '/lib', '/lib64', '/etc', '/dev/null', '/dev/urandom', '/dev/random', '/proc/self'];

let detected: Isolation | undefined;

/**
 * `namespaces` when Linux namespaces can be made (root, util-linux unshare, setpriv and mount present, and a
 * trial run works); else `audit-hook`. HANGAR_VERIFY_ISOLATION=audit-hook chooses the hook alone.
 */
export function isolation(): Isolation {
  if (process.env.HANGAR_VERIFY_ISOLATION === 'audit-hook') return 'audit-hook';
  detected ??= (() => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'audit-hook';
    const trial = spawnSync('unshare', ['--net', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc', 'setpriv', '--no-new-privs', 'mount', '--version'], { stdio: 'ignore', timeout: 30_000 });
    return trial.status === 0 ? 'namespaces' : 'audit-hook';
  })();
  return detected;
}

export interface SandboxFile {
  /** Path relative to the catalog root (already contained). */
  relative: string;
  bytes: Buffer;
}

/** A throw-away folder where one entry is imported or tested, and the launcher that runs helpers inside it. */
export interface Sandbox {
  root: string;
  /** The entry's DAG file inside the sandbox's read-only copy of the entry (the copy's folder when it has no files). */
  dagFile: string;
  airflowHome: string;
  /** An executable that stands in for the environment's python: `launcher SCRIPT ARGS` runs SCRIPT in the sandbox. */
  launcher: string;
  isolation: Isolation;
  dispose(): void;
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

function makeReadOnly(dir: string): void {
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) makeReadOnly(full);
    else chmodSync(full, 0o444);
  }
  chmodSync(dir, 0o555);
}

function makeWritable(dir: string): void {
  if (!existsSync(dir)) return;
  chmodSync(dir, 0o755);
  for (const item of readdirSync(dir, { withFileTypes: true })) if (item.isDirectory() && !item.isSymbolicLink()) makeWritable(path.join(dir, item.name));
}

export interface SandboxOptions {
  /** The entry's DAG file and its extra files, the DAG first; none for Airflow's own commands. */
  files: readonly SandboxFile[];
  env: VerifyEnvironment;
  timeoutS: number;
}

/**
 * A new sandbox: the entry's files copied read-only into `dag/`, a fresh HOME, TMPDIR and AIRFLOW_HOME, and a
 * launcher configured with a clean environment (nothing inherited: no tokens or credentials reach the entry), the
 * folders the entry may read (the sandbox, the environment, its base interpreter, Hangar's helpers, system
 * libraries and configuration) and write (home, tmp, AIRFLOW_HOME), the time limit and the isolation.
 */
export function createSandbox(options: SandboxOptions): Sandbox {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'hangar-verify-')));
  const [home, tmp, airflowHome, copy] = ['home', 'tmp', 'airflow', 'dag'].map((name) => path.join(root, name)) as [string, string, string, string];
  for (const dir of [home, tmp, airflowHome, copy]) mkdirSync(dir, { recursive: true });
  for (const file of options.files) {
    const target = path.join(copy, file.relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.bytes);
  }
  makeReadOnly(copy);
  const dagFile = path.join(copy, options.files[0]?.relative ?? '');
  const helpers = path.dirname(pythonScript('hangar_integrity.py'));
  const mode = isolation();
  const config = {
    python: options.env.python,
    timeout_s: options.timeoutS,
    isolation: mode,
    cwd: root,
    output_limit: OUTPUT_LIMIT,
    env: {
      HOME: home,
      TMPDIR: tmp,
      PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
      LANG: 'C.UTF-8',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONNOUSERSITE: '1',
      PYTHONUNBUFFERED: '1',
      AIRFLOW_HOME: airflowHome,
      AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
      AIRFLOW__CORE__DAGS_FOLDER: options.files.length ? path.dirname(dagFile) : copy,
      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(airflowHome, 'airflow.db')}`,
      AIRFLOW__LOGGING__BASE_LOG_FOLDER: path.join(airflowHome, 'logs'),
    },
    pass_env: ['HANGAR_TEST_ENV', 'HANGAR_TEST_RETRIES'],
    sandbox: {
      write: [home, tmp, airflowHome],
      read: [root, options.env.root, options.env.baseRoot, helpers, ...SYSTEM_READS],
    },
  };
  const configFile = path.join(root, 'launch.json');
  writeFileSync(configFile, JSON.stringify(config));
  const launcher = path.join(root, 'python');
  // -I -S: the launcher runs the environment's interpreter without its site-packages, so nothing installed runs outside the sandbox.
  writeFileSync(launcher, `#!/bin/sh\nexec ${quote(options.env.python)} -I -S ${quote(pythonScript('hangar_sandbox_launch.py'))} ${quote(configFile)} "$@"\n`, { mode: 0o755 });
  return {
    root,
    dagFile,
    airflowHome,
    launcher,
    isolation: mode,
    dispose: () => {
      makeWritable(root);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

