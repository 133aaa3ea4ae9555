/**
 * The corpus of the accuracy bench: real DAG files nobody here wrote, the example DAGs that Apache Airflow 2.11 and
 * 1.10 and older provider releases ship inside their packages. Each package is unpacked (uv, no dependencies, nothing
 * imported) into .cache/bench-real-dags/packages/, and each of its example_dags folders is copied to
 * .cache/bench-real-dags/corpus/<package>/<folder>/dags/: one DAGs folder per package folder, as Airflow's
 * load_examples serves them. The corpus stays outside the repository.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE } from '../support/venv';

export const REAL_DAGS = path.join(CACHE, 'bench-real-dags');
export const REAL_CORPUS = path.join(REAL_DAGS, 'corpus');

/**
 * What the corpus is made of. Provider ranges select the last release before each provider moved its examples out
 * of the package (they are system tests since 2022), so the files are the Airflow 2 era code users copied.
 */
export const CORPUS_PACKAGES: readonly string[] = [
  'apache-airflow==2.11.2',
  'apache-airflow==1.10.15',
  'apache-airflow-providers-google<7',
  'apache-airflow-providers-amazon<4',
  'apache-airflow-providers-cncf-kubernetes<4',
  'apache-airflow-providers-microsoft-azure<4',
  'apache-airflow-providers-databricks<3',
  'apache-airflow-providers-snowflake<3',
  'apache-airflow-providers-postgres<5',
  'apache-airflow-providers-http<3',
  'apache-airflow-providers-docker<3',
  'apache-airflow-providers-apache-spark<3',
  'apache-airflow-providers-apache-hive<3',
  'apache-airflow-providers-mysql<3',
  'apache-airflow-providers-ssh<3',
  'apache-airflow-providers-sftp<3',
  'apache-airflow-providers-slack<5',
  'apache-airflow-providers-dbt-cloud<3',
  'apache-airflow-providers-trino<3',
  'apache-airflow-providers-papermill<3',
];

function uv(): string {
  const fromEnv = process.env.UV;
  if (fromEnv) return fromEnv;
  for (const venv of ['bench-venv', 'airflow-venv']) {
    const candidate = path.join(CACHE, venv, 'bin', 'uv');
    if (existsSync(candidate)) return candidate;
  }
  return 'uv';
}

function exampleFolders(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '__pycache__') continue;
    const full = path.join(dir, entry.name);
    if (entry.name === 'example_dags') found.push(full);
    else exampleFolders(full, found);
  }
  return found;
}

/** Unpacks the packages (once) and lays out the corpus; returns the DAG files and what each package resolved to. */
export function realDagCorpus(): { files: string[]; packages: string[] } {
  const stamp = path.join(REAL_DAGS, 'packages.txt');
  if (!existsSync(stamp)) {
    rmSync(REAL_DAGS, { recursive: true, force: true });
    const packages: string[] = [];
    for (const requirement of CORPUS_PACKAGES) {
      const target = path.join(REAL_DAGS, 'packages', requirement.replace(/[^\w.-]+/g, '_'));
      try {
        execFileSync(uv(), ['pip', 'install', '--quiet', '--no-deps', '--python-version', '3.11', '--target', target, requirement], { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (error) {
        console.log(`corpus: ${requirement} could not be had (${String(error).split('\n')[0]}); left out`);
        continue;
      }
      const dist = readdirSync(target).find((name) => name.endsWith('.dist-info'))?.replace(/\.dist-info$/, '') ?? requirement;
      packages.push(dist);
      for (const folder of exampleFolders(target)) {
        const unit = path.join(REAL_CORPUS, dist, path.relative(target, path.dirname(folder)).replace(/[\\/]/g, '.'), 'dags');
        mkdirSync(path.dirname(unit), { recursive: true });
        cpSync(folder, unit, { recursive: true });
      }
    }
    writeFileSync(stamp, `${packages.join('\n')}\n`);
  }
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) {
        if (name !== '__pycache__') walk(full);
      } else if (name.endsWith('.py') && name !== '__init__.py') files.push(full);
    }
  };
  if (existsSync(REAL_CORPUS)) walk(REAL_CORPUS);
  return { files, packages: readFileSync(stamp, 'utf8').trim().split('\n') };
}
