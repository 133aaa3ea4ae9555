import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Real Git repositories for the marketplace tests, one per index format, built from files given here. */

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Catalog Maintainer',
  GIT_AUTHOR_EMAIL: 'maintainer@example.invalid',
  GIT_COMMITTER_NAME: 'Catalog Maintainer',
  GIT_COMMITTER_EMAIL: 'maintainer@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function scratch(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `hangar-market-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
}

/** A Git repository with `files` committed on `main`; returns its folder. */
export function gitRepo(parent: string, name: string, files: Record<string, string>): string {
  const root = path.join(parent, name);
  mkdirSync(root, { recursive: true });
  git(root, 'init', '-q', '-b', 'main');
  writeFiles(root, files);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'catalog');
  return root;
}

export function commitAll(root: string, message: string): void {
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', message);
}

export const POSTGRES_DAG = `"""Postgres to S3 export.

Copies **tables** from Postgres to S3 every night.
"""
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.amazon.aws.hooks.s3 import S3Hook
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("postgres_to_s3", schedule="@daily"):
    extract = BashOperator(task_id="extract", bash_command="echo extract")
    load = BashOperator(task_id="load", bash_command="echo load")
    extract >> load
`;

export const HELLO_DAG = `"""Hello world.

The smallest DAG.
"""
from airflow.sdk import dag, task

@dag(schedule=None)
def hello():
    @task
    def say():
        print("hello")
    say()

hello()
`;

export const BROKEN_DAG = 'from airflow.sdk import DAG\nwith DAG("broken" as d:\n    pass\n';

/** Hangar's own format: hangar-catalog.json with sha256, providers, connections, variables and an extra file. */
export function hangarCatalogFiles(overrides: { title?: string; sha?: string } = {}): Record<string, string> {
  const index = {
    entries: [
      {
        id: 'postgres-to-s3',
        title: overrides.title ?? 'Postgres to S3',
        description: 'Copies **tables** nightly.\n\n<script>alert(1)</script>',
        version: '1.0.0',
        category: 'etl',
        tags: ['postgres', 's3', 'export'],
        author: 'data-platform',
        license: 'Apache-2.0',
        status: 'stable',
        updated: '2026-10-01',
        source: { path: 'dags/postgres_to_s3.py', files: ['dags/sql/extract.sql'] },
        sha256: overrides.sha ?? sha256(POSTGRES_DAG),
        airflow: '>=2.7',
        providers: [
          { name: 'apache-airflow-providers-postgres', version: '>=5.10' },
          { name: 'apache-airflow-providers-amazon', version: '>=8.0' },
        ],
        connections: [{ id: 'postgres_default', type: 'postgres' }, { id: 'aws_default', type: 'aws' }],
        variables: [{ name: 'export_bucket', description: 'S3 bucket for the export' }],
        params: [{ name: 'tables', type: 'array', default: ['orders'] }],
      },
      {
        id: 'hello',
        title: 'Hello world',
        version: '0.1.0',
        category: 'examples',
        status: 'beta',
        airflow: '>=3.0',
        source: { path: 'dags/hello.py' },
        sha256: sha256(HELLO_DAG),
      },
    ],
  };
  return {
    'hangar-catalog.json': `${JSON.stringify(index, null, 2)}\n`,
    'dags/postgres_to_s3.py': POSTGRES_DAG,
    'dags/hello.py': HELLO_DAG,
    'dags/sql/extract.sql': 'SELECT * FROM orders;\n',
  };
}

export function communityCatalogFiles(): Record<string, string> {
  return {
    'dags/registry.yaml': `categories:
  reporting:
    description: Reports
    dags:
      - name: Weekly report
        file: weekly_report.py
        description: Sends a weekly report by mail.
        contributed_by: alice
        status: stable
        prerequisites:
          providers:
            - apache-airflow-providers-smtp>=1.0
          connections: [smtp_default]
          variables: [report_recipients]
`,
    'dags/weekly_report.py': HELLO_DAG.replace('Hello world', 'Weekly report'),
  };
}

export function astroCatalogFiles(): Record<string, string> {
  return {
    '.astro-registry.yaml': `categories:
  - ML
dags:
  - path: dags/train_model.py
    tags: [ml, training]
`,
    'dags/train_model.py': `"""Train a churn model.

Trains a **gradient boosting** model on the warehouse data.
"""
from airflow.providers.snowflake.operators.snowflake import SnowflakeOperator
from airflow.sdk import DAG

with DAG("train_model"):
    SnowflakeOperator(task_id="features", sql="select 1")
`,
  };
}
