/**
 * Marketplace verification (`hangar market verify`): one entry on Airflow 3.3.2 and 3.4.0b2 with a cold
 * environment (empty uv package cache, and then a warm one), with warm environments, with dag.test(), and a sample
 * of a generated 200-entry catalog to see how a whole catalog scales. Every run goes through the shipped CLI.
 * HANGAR_BENCH_VERIFY_SAMPLE=N verifies N of the 200 entries (default 8) and scales up.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CatalogVerifyReport } from '../../server/src/market/verify/catalogVerify';
import { CACHE, REPO_ROOT } from '../support/venv';
import { measureProcess, median, printTable, saveResults, seconds, type Bench } from './bench';

const ENTRIES = 200;
const VERSIONS = ['3.3.2', '3.4.0b2'];
/** Most catalog entries need only what Airflow ships; some add a provider, so a few environments are built. */
const PROVIDER_SETS: { name: string; version?: string }[][] = [[], [], [], [], [], [], [], [{ name: 'apache-airflow-providers-http' }], [{ name: 'apache-airflow-providers-common-sql', version: '>=1.20' }], []];

function dag(i: number): string {
  return `"""Generated entry ${i}."""
import pendulum
from airflow.sdk import dag, task


@dag(dag_id="entry_${i}", schedule="@daily", start_date=pendulum.datetime(2026, 1, 1), catchup=False, tags=["bench"])
def entry_${i}():
    @task
    def extract():
        return list(range(${i % 7}))

    @task
    def load(rows):
        print(len(rows))

    load(extract())


entry_${i}()
`;
}

function buildCatalog(root: string): void {
  mkdirSync(path.join(root, 'dags'), { recursive: true });
  const entries = Array.from({ length: ENTRIES }, (_, i) => {
    const text = dag(i);
    writeFileSync(path.join(root, 'dags', `entry_${i}.py`), text);
    const providers = PROVIDER_SETS[i % PROVIDER_SETS.length]!;
    return {
      id: `entry-${i}`,
      title: `Entry ${i}`,
      version: '1.0.0',
      source: { path: `dags/entry_${i}.py` },
      sha256: createHash('sha256').update(text).digest('hex'),
      ...(providers.length ? { providers } : {}),
      ...(i === 1 ? { verify: { dag_test: true } } : {}),
    };
  });
  writeFileSync(path.join(root, 'hangar-catalog.json'), JSON.stringify({ entries }));
}

interface Run {
  wallMs: number;
  cpuMs?: number;
  /** Per Airflow version: the verification's own duration and outcome. */
  results: { airflow: string; result: string; durationMs: number }[];
}

const bench: Bench = {
  name: 'verify',
  description: 'marketplace verification: cold and warm environments, dag.test(), and a 200-entry catalog',
  async run() {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'hangar-verify-bench-'));
    const cli = path.join(REPO_ROOT, 'dist', 'cli', 'hangar.js');
    const uv = path.join(CACHE, 'airflow-venv', 'bin', 'uv');
    const catalog = path.join(scratch, 'catalog');
    buildCatalog(catalog);
    const verify = async (entries: string[], env: Record<string, string>, versions = VERSIONS): Promise<Run> => {
      const measured = await measureProcess(process.execPath, [cli, 'market', 'verify', catalog, ...entries.flatMap((e) => ['--entry', e]), '--airflow', versions.join(','), '--json'], {
        env: { ...process.env, ...(existsSync(uv) ? { HANGAR_UV: uv } : {}), ...env },
      });
      let report: CatalogVerifyReport;
      try {
        report = JSON.parse(measured.stdout) as CatalogVerifyReport;
      } catch {
        throw new Error(`hangar market verify failed (exit ${measured.code}): ${measured.stderr.slice(-2000)}`);
      }
      return { wallMs: measured.wallMs, cpuMs: measured.cpuMs, results: report.verified.flatMap((v) => v.record.results.map((r) => ({ airflow: r.airflow, result: r.result, durationMs: r.durationMs }))) };
    };
    try {
      const cold = path.join(scratch, 'cold');
      const coldUv = { HANGAR_VERIFY_CACHE: cold, UV_CACHE_DIR: path.join(scratch, 'uv-cache') };
      const coldEverything = await verify(['entry-0'], coldUv);
      const coldVenv = await verify(['entry-0'], { HANGAR_VERIFY_CACHE: path.join(scratch, 'cold-venv') });
      const warmRuns: Run[] = [];
      for (let i = 0; i < 3; i++) warmRuns.push(await verify(['entry-0'], { HANGAR_VERIFY_CACHE: cold, UV_CACHE_DIR: coldUv.UV_CACHE_DIR }));
      const dagTestFirst = await verify(['entry-1'], { HANGAR_VERIFY_CACHE: cold, UV_CACHE_DIR: coldUv.UV_CACHE_DIR });
      const dagTestWarm = await verify(['entry-1'], { HANGAR_VERIFY_CACHE: cold, UV_CACHE_DIR: coldUv.UV_CACHE_DIR });

      const sampleSize = Math.max(1, Math.min(ENTRIES, Number(process.env.HANGAR_BENCH_VERIFY_SAMPLE ?? 8)));
      const sample = Array.from({ length: sampleSize }, (_, k) => `entry-${2 + Math.floor((k * (ENTRIES - 2)) / sampleSize)}`);
      const sampled = await verify(sample, { HANGAR_VERIFY_CACHE: cold, UV_CACHE_DIR: coldUv.UV_CACHE_DIR });
      const environments = new Set(PROVIDER_SETS.map((set) => JSON.stringify(set))).size;

      const byVersion = (run: Run, version: string): number => run.results.filter((r) => r.airflow === version).reduce((sum, r) => sum + r.durationMs, 0);
      const warmPer = (version: string): number => median(warmRuns.map((run) => byVersion(run, version)));
      const perEntry = (version: string): number => byVersion(sampled, version) / sampleSize;
      const coldExtra = (version: string): number => byVersion(coldVenv, version) - warmPer(version);
      const catalogMs = VERSIONS.reduce((sum, v) => sum + ENTRIES * perEntry(v) + environments * coldExtra(v), 0);

      const rows = [['Airflow', 'cold (empty uv cache)', 'cold venv (warm uv cache)', 'warm', 'dag.test() first / warm', `per entry, ${sampleSize} of ${ENTRIES}`]];
      for (const v of VERSIONS) {
        rows.push([v, seconds(byVersion(coldEverything, v)), seconds(byVersion(coldVenv, v)), seconds(warmPer(v)), `${seconds(byVersion(dagTestFirst, v))} / ${seconds(byVersion(dagTestWarm, v))}`, seconds(perEntry(v))]);
      }
      printTable('Verification of one entry (the CLI process adds start-up on top)', rows);
      const outcomes = [...coldEverything.results, ...sampled.results].filter((r) => r.result !== 'passed');
      console.log(`\n${ENTRIES} entries on ${VERSIONS.join(' and ')}, one at a time: about ${(catalogMs / 60_000).toFixed(0)} min (${ENTRIES} × per-entry time, plus ${environments} environments built cold per version)`);
      if (outcomes.length) console.log(`not passed: ${JSON.stringify(outcomes)}`);
      console.log(`CPU of the sampled run: ${sampled.cpuMs === undefined ? 'n/a' : seconds(sampled.cpuMs)} for ${sampleSize * VERSIONS.length} verifications (wall ${seconds(sampled.wallMs)})`);
      const file = saveResults('verify', { coldEverything, coldVenv, warmRuns, dagTestFirst, dagTestWarm, sampleSize, sampled, environments, catalogMinutes: catalogMs / 60_000, load: os.loadavg() });
      console.log(`saved ${path.relative(REPO_ROOT, file)}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

export default bench;
