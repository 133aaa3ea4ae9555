/**
 * A deterministic corpus of realistic Airflow 3 DAG files (~150 lines each) for benchmarks:
 * classic `with DAG` files, TaskFlow `@dag` files, task groups, mapping, sensors, branching and SQL,
 * with a few security findings and a few files Airflow rejects, as in a real repository.
 * Other benchmarks (LSP, deploy, deps) can use it too: `await ensureBenchCorpus()`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE } from '../support/venv';

export const BENCH_CORPUS = path.join(CACHE, 'bench-corpus');
const GENERATOR_VERSION = 1;

/** mulberry32: a small seeded PRNG, so every run generates the same corpus. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DOMAINS = ['orders', 'billing', 'marketing', 'inventory', 'customers', 'payments', 'logistics', 'support', 'risk', 'search'];
const TABLES = ['events', 'accounts', 'invoices', 'sessions', 'products', 'shipments', 'tickets', 'refunds', 'leads', 'clicks', 'stock', 'prices'];
const SCHEDULES = ['"@daily"', '"@hourly"', '"0 3 * * *"', '"*/15 * * * *"', '"30 6 * * 1-5"', 'timedelta(hours=6)', 'None', '"@weekly"'];
const OWNERS = ['data-platform', 'analytics', 'growth', 'finance-eng', 'ml-infra'];

interface Picker {
  rand: () => number;
  pick<T>(items: readonly T[]): T;
  int(min: number, max: number): number;
  chance(p: number): boolean;
}

function picker(seed: number): Picker {
  const rand = random(seed);
  return {
    rand,
    pick: (items) => items[Math.floor(rand() * items.length)]!,
    int: (min, max) => min + Math.floor(rand() * (max - min + 1)),
    chance: (p) => rand() < p,
  };
}

function helper(p: Picker, name: string): string[] {
  const field = p.pick(['amount', 'status', 'country', 'created_at', 'user_id', 'sku']);
  return [
    `def ${name}(records: list[dict], threshold: int = ${p.int(1, 500)}) -> list[dict]:`,
    `    """Keeps the records whose ${field} passes the ${name.replace(/_/g, ' ')} rules."""`,
    '    kept = []',
    '    for record in records:',
    `        value = record.get("${field}")`,
    '        if value is None:',
    '            continue',
    `        if isinstance(value, (int, float)) and value < threshold:`,
    '            continue',
    '        kept.append(record)',
    `    log.info("${name}: kept %d of %d records", len(kept), len(records))`,
    '    return kept',
    '',
    '',
  ];
}

function header(p: Picker, index: number, domain: string, taskflow: boolean): string[] {
  const lines = [
    `"""${domain[0]!.toUpperCase()}${domain.slice(1)} pipeline ${index}: loads, cleans and publishes ${domain} data.`,
    '',
    `Owner: ${p.pick(OWNERS)}. Generated for Hangar's benchmark corpus.`,
    '"""',
    'from __future__ import annotations',
    '',
    'import json',
    'import logging',
    'from datetime import datetime, timedelta',
    '',
    'from airflow.providers.standard.operators.bash import BashOperator',
    'from airflow.providers.standard.operators.empty import EmptyOperator',
    'from airflow.providers.standard.operators.python import BranchPythonOperator, PythonOperator',
    'from airflow.providers.standard.sensors.filesystem import FileSensor',
  ];
  lines.push(taskflow ? 'from airflow.sdk import dag, task, task_group' : 'from airflow.sdk import DAG, TaskGroup, task');
  return lines;
}

function settings(p: Picker, domain: string, tables: string[], index: number): string[] {
  const lines = ['', 'log = logging.getLogger(__name__)', '', 'SOURCE_TABLES = ['];
  for (const table of tables) lines.push(`    "${domain}_${table}",`);
  lines.push(']', '', 'CONFIG = {');
  lines.push(`    "bucket": "s3://${domain}-lake-${index % 7}",`, `    "warehouse_schema": "${domain}_mart",`, `    "batch_size": ${p.int(100, 5000)},`, `    "max_retries": ${p.int(1, 5)},`, '}');
  if (p.chance(0.05)) lines.push('', `WAREHOUSE_PASSWORD = "Xk9${index}pQz!r7Lw2${p.int(100, 999)}"`);
  lines.push('', 'default_args = {', `    "owner": "${p.pick(OWNERS)}",`, `    "retries": ${p.int(0, 3)},`, `    "retry_delay": timedelta(minutes=${p.int(1, 15)}),`, '    "depends_on_past": False,', '}', '', '');
  return lines;
}

function callables(p: Picker, domain: string, count: number, injectShell: boolean): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(...helper(p, `${p.pick(['filter', 'validate', 'dedupe', 'score', 'normalize'])}_${domain}_${i}`));
  lines.push('def choose_load_mode(**context) -> str:', '    """Full load on Sundays, incremental otherwise."""', '    if context["logical_date"].weekday() == 6:', '        return "full_load"', '    return "incremental_load"', '', '');
  lines.push('def publish_summary(**context) -> None:', '    summary = {"run_id": context["run_id"], "tables": len(SOURCE_TABLES)}');
  if (injectShell) lines.push('    import subprocess', '', '    subprocess.run(f"notify --summary {json.dumps(summary)}", shell=True, check=True)');
  else lines.push('    log.info("summary: %s", json.dumps(summary))');
  lines.push('', '');
  return lines;
}

function classicDag(p: Picker, dagId: string, domain: string, schedule: string, tables: string[], flaw: string | undefined): string[] {
  const conf = flaw === 'injection' ? '{{ dag_run.conf["target"] }}' : '{{ ds }}';
  const lines = [
    'with DAG(',
    `    dag_id="${dagId}",`,
    `    schedule=${schedule},`,
    `    start_date=datetime(2025, ${p.int(1, 12)}, ${p.int(1, 28)}),`,
    '    catchup=False,',
    '    default_args=default_args,',
    `    max_active_runs=${p.int(1, 3)},`,
    `    tags=["${domain}", "generated"],`,
    ') as dag:',
    '    start = EmptyOperator(task_id="start")',
    '    wait_for_drop = FileSensor(',
    '        task_id="wait_for_drop",',
    `        filepath="/data/${domain}/_SUCCESS",`,
    `        poke_interval=${p.int(30, 300)},`,
    '        timeout=3600,',
    '        mode="reschedule",',
    '    )',
    '',
    '    with TaskGroup(group_id="extract") as extract:',
    '        for table in SOURCE_TABLES:',
    '            BashOperator(',
    '                task_id=f"extract_{table}",',
    `                bash_command=f"extract --table {table} --date ${conf}",`,
    '            )',
    '',
    '    with TaskGroup(group_id="transform") as transform:',
  ];
  tables.forEach((table, i) => {
    lines.push(`        clean_${i} = PythonOperator(task_id="clean_${table}", python_callable=publish_summary)`);
  });
  if (flaw === 'duplicate') lines.push(`        PythonOperator(task_id="clean_${tables[0]}", python_callable=publish_summary)`);
  lines.push(
    '',
    '    branch = BranchPythonOperator(task_id="choose_load_mode", python_callable=choose_load_mode)',
    '    full_load = BashOperator(task_id="full_load", bash_command="load --mode full")',
    '    incremental_load = BashOperator(task_id="incremental_load", bash_command="load --mode incremental")',
    '    join = EmptyOperator(task_id="join", trigger_rule="none_failed_min_one_success")',
    '',
    '    @task',
    '    def count_rows(tables: list[str]) -> int:',
    '        return len(tables) * CONFIG["batch_size"]',
    '',
    '    rows = count_rows(SOURCE_TABLES)',
    '    publish = PythonOperator(task_id="publish_summary", python_callable=publish_summary)',
    '',
    '    start >> wait_for_drop >> extract >> transform >> branch >> [full_load, incremental_load] >> join',
    '    join >> rows >> publish',
  );
  return lines;
}

function taskflowDag(p: Picker, dagId: string, domain: string, schedule: string, tables: string[], flaw: string | undefined): string[] {
  const lines = [
    '@dag(',
    `    dag_id="${dagId}",`,
    `    schedule=${schedule},`,
    `    start_date=datetime(2025, ${p.int(1, 12)}, ${p.int(1, 28)}),`,
    '    catchup=False,',
    '    default_args=default_args,',
    `    tags=["${domain}", "taskflow"],`,
    ')',
    `def ${dagId}_pipeline():`,
    '    @task',
    '    def extract(table: str) -> list[dict]:',
    '        return [{"table": table, "amount": n} for n in range(CONFIG["batch_size"] // 100)]',
    '',
    '    @task',
    '    def transform(records: list[dict]) -> list[dict]:',
    '        return [dict(record, amount=record["amount"] * 2) for record in records]',
    '',
    '    @task_group(group_id="load")',
    '    def load_group(records: list[dict]):',
    '        @task',
    '        def stage(rows: list[dict]) -> int:',
    '            return len(rows)',
    '',
    '        @task',
    '        def merge(count: int) -> None:',
    `            log.info("merged %d rows into ${domain}_mart", count)`,
    '',
    '        merge(stage(records))',
    '',
    '    mapped = extract.expand(table=SOURCE_TABLES)',
  ];
  tables.forEach((table, i) => lines.push(`    load_${i} = load_group.override(group_id="load_${table}")(transform(extract.override(task_id="extract_${table}")("${table}")))`));
  if (flaw === 'duplicate') lines.push(`    EmptyOperator(task_id="extract_${tables[0]}")`);
  lines.push(
    `    report = BashOperator(task_id="report", bash_command="report --domain ${domain} --date ${flaw === 'injection' ? '{{ params.target }}' : '{{ ds }}'}")`,
    '    mapped >> report',
    '',
    '',
    `${dagId}_pipeline()`,
  );
  return lines;
}

/** The text of corpus file `index` (deterministic). */
export function benchDagSource(index: number): string {
  const p = picker(index * 7919 + 17);
  const domain = p.pick(DOMAINS);
  const taskflow = p.chance(0.4);
  const tables = Array.from(new Set(Array.from({ length: p.int(3, 6) }, () => p.pick(TABLES))));
  const roll = p.rand();
  const flaw = roll < 0.01 ? 'syntax' : roll < 0.02 ? 'duplicate' : roll < 0.05 ? 'injection' : undefined;
  const dagId = `${domain}_pipeline_${index}`;
  const target = p.int(135, 165);
  const body = taskflow
    ? taskflowDag(p, dagId, domain, p.pick(SCHEDULES), tables, flaw)
    : classicDag(p, dagId, domain, p.pick(SCHEDULES), tables, flaw);
  const top = [...header(p, index, domain, taskflow), ...settings(p, domain, tables, index)];
  const fixed = top.length + body.length + 16;
  const helpers = Math.max(1, Math.round((target - fixed) / 14));
  const lines = [...top, ...callables(p, domain, helpers, p.chance(0.03)), ...body];
  if (flaw === 'syntax') lines[lines.length - 3] = lines[lines.length - 3]!.replace(/\)$/, '');
  return `${lines.join('\n')}\n`;
}

/** Writes the corpus (1,000 files by default) into .cache/bench-corpus once; returns the folder. */
export function ensureBenchCorpus(count = 1000): string {
  const stamp = path.join(BENCH_CORPUS, '.stamp');
  const wanted = `${GENERATOR_VERSION}:${count}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return BENCH_CORPUS;
  rmSync(BENCH_CORPUS, { recursive: true, force: true });
  mkdirSync(BENCH_CORPUS, { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(path.join(BENCH_CORPUS, `dag_${String(i).padStart(4, '0')}.py`), benchDagSource(i));
  writeFileSync(stamp, wanted);
  return BENCH_CORPUS;
}

/** The corpus's files, sorted. */
export function benchCorpusFiles(count = 1000): string[] {
  const dir = ensureBenchCorpus(count);
  return Array.from({ length: count }, (_, i) => path.join(dir, `dag_${String(i).padStart(4, '0')}.py`));
}
