import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { runHangarSync } from '../../support/cli';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/analysis/cli');

function hangar(cwd: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const { code, stdout, stderr } = runHangarSync(args, { cwd });
  return { status: code, stdout, stderr };
}

describe('hangar check', () => {
  it('exits 0 on clean DAGs, checking the dags/ folder by default', () => {
    const run = hangar(path.join(FIXTURES, 'clean'), 'check');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /No problems in 1 file\./);
  });

  it('exits 1 on errors, with path:line:col, rule id and message; duplicate dag_ids across files on both', () => {
    const run = hangar(path.join(FIXTURES, 'broken'), 'check');
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^dags\/sales\.py:8:27: HGR005 error: Task id "load" is already used/m);
    assert.match(run.stdout, /^dags\/sales\.py:6:17: HGR006 error: dag_id "sales" is also defined in dags\/sales_copy\.py/m);
    assert.match(run.stdout, /^dags\/sales_copy\.py:6:17: HGR006 error: .*dags\/sales\.py/m);
  });

  it('--fail-on decides whether warnings fail', () => {
    const cwd = path.join(FIXTURES, 'warnings');
    // the fixture's one warning (a DAG without schedule) is one on an Airflow 2 target only
    assert.equal(hangar(cwd, 'check', '--target-airflow', '2').status, 0);
    assert.equal(hangar(cwd, 'check', '--fail-on', 'warning', '--target-airflow', '2').status, 1);
    assert.equal(hangar(cwd, 'check', '--fail-on', 'warning', '--target-airflow', '2', '--ignore', 'missing-schedule,HGR209').status, 0);
    assert.equal(hangar(cwd, 'check', '--fail-on', 'warning').status, 0, 'Airflow 3 (the default target): no schedule means no schedule');
    const bad = hangar(cwd, 'check', '--target-airflow', '4');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--target-airflow.*expected a version such as 2, 3 or 3\.4/);
  });

  it('--select limits the rules', () => {
    const run = hangar(path.join(FIXTURES, 'broken'), 'check', '--select', 'HGR006', '--format', 'json');
    const report = JSON.parse(run.stdout) as { findings: { ruleId: string; line: number; column: number; endLine: number; endColumn: number; path: string }[] };
    assert.deepEqual([...new Set(report.findings.map((f) => f.ruleId))], ['HGR006']);
    // The whole `"sales"` literal: the range is read while the file's tree is alive.
    assert.deepEqual(report.findings.map((f) => [f.path, f.line, f.column, f.endLine, f.endColumn]), [['dags/sales.py', 6, 17, 6, 24], ['dags/sales_copy.py', 6, 17, 6, 24]]);
  });

  it('exits 2 with a clear message on usage and configuration errors', () => {
    const unknownRule = hangar(path.join(FIXTURES, 'clean'), 'check', '--select', 'HGR999');
    assert.equal(unknownRule.status, 2);
    assert.match(unknownRule.stderr, /unknown rule "HGR999"/);
    const missing = hangar(path.join(FIXTURES, 'clean'), 'check', 'nowhere');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nowhere: no such file or folder/);
    const badFormat = hangar(path.join(FIXTURES, 'clean'), 'check', '--format', 'xml');
    assert.equal(badFormat.status, 2);
    const config = hangar(path.join(FIXTURES, 'badconfig'), 'check');
    assert.equal(config.status, 2);
    assert.match(config.stderr, /pyproject\.toml:3: invalid TOML/);
  });

  it('writes SARIF 2.1.0 that validates against the schema, with relative uris and 1-based regions', () => {
    const run = hangar(path.join(FIXTURES, 'broken'), 'check', '--format', 'sarif');
    assert.equal(run.status, 1);
    const log = JSON.parse(run.stdout) as { version: string; runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] };
    const schema = JSON.parse(readFileSync(path.join(__dirname, 'sarif-2.1.0-subset.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    assert.ok(validate(log), JSON.stringify(validate.errors));
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    assert.ok(log.runs[0]!.tool.driver.rules.some((r) => r.id === 'HGR005'));
    const duplicate = log.runs[0]!.results.find((r) => r.ruleId === 'HGR005')!;
    assert.equal(duplicate.level, 'error');
    assert.deepEqual(duplicate.locations[0]!.physicalLocation.artifactLocation.uri, 'dags/sales.py');
    assert.deepEqual(duplicate.locations[0]!.physicalLocation.region.startLine, 8);
    assert.deepEqual(duplicate.locations[0]!.physicalLocation.region.startColumn, 27);
  });

  it('writes GitHub workflow annotations', () => {
    const run = hangar(path.join(FIXTURES, 'broken'), 'check', '--format', 'github');
    assert.match(run.stdout, /^::error file=dags\/sales\.py,line=8,col=27,endLine=8,endColumn=33,title=HGR005 duplicate-task-id::Task id "load"/m);
  });
});

describe('hangar rules', () => {
  it('lists the catalog and documents one rule', () => {
    const list = hangar(ROOT, 'rules');
    assert.equal(list.status, 0);
    assert.match(list.stdout, /^HGR005 {2}duplicate-task-id/m);
    const one = hangar(ROOT, 'rules', 'duplicate-task-id');
    assert.match(one.stdout, /\*\*Bad\*\*/);
  });
});
