import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../../server/src/analysis/findings';
import { securityRules } from '../../../server/src/analysis/rules/security';
import { buildModel } from '../../../server/src/analysis/model/build';
import { analyzeSecurity, parse, runRules } from './harness';

function textAt(source: string, finding: Finding): string {
  const lines = source.split('\n');
  const { start, end } = finding.range;
  if (start.line !== end.line) return lines.slice(start.line, end.line + 1).join('\n');
  return lines[start.line]!.slice(start.character, end.character);
}

test('catalog metadata: ids HGR301..HGR399, security family, a security severity, a doc with bad and good examples, a reference', () => {
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const rule of securityRules) {
    assert.match(rule.id, /^HGR3\d\d$/);
    assert.ok(!ids.has(rule.id) && !names.has(rule.name), `duplicate ${rule.id} ${rule.name}`);
    ids.add(rule.id);
    names.add(rule.name);
    assert.match(rule.name, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    assert.equal(rule.family, 'security');
    assert.ok(rule.securitySeverity, `${rule.id} has no securitySeverity`);
    assert.match(rule.doc, /\*\*Bad\*\*\n```python\n[\s\S]+?```[\s\S]*\*\*Good\*\*\n```python\n[\s\S]+?```/, `${rule.id} doc lacks examples`);
    assert.ok(rule.reference.length > 10, `${rule.id} has no reference`);
  }
  assert.deepEqual([...ids], [...ids].sort(), 'rules are listed in id order');
});

test('findings point at the secret itself and messages never repeat it', async () => {
  const source = [
    'TOKEN = "ghp_pfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rlg"',
    'URI = "postgresql://etl:s3cretPass@db:5432/dwh"',
    'db_password = "Wareh0use!2024"',
  ].join('\n');
  const findings = await analyzeSecurity(source);
  assert.deepEqual(findings.map((f) => [f.ruleId, textAt(source, f)]), [
    ['HGR302', 'ghp_pfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rlg'],
    ['HGR304', 's3cretPass'],
    ['HGR301', '"Wareh0use!2024"'],
  ]);
  for (const finding of findings) {
    assert.doesNotMatch(finding.message, /ghp_pf|s3cretPass|Wareh0use/);
  }
});

test('noqa: by id, by name and bare; another id does not hide the finding', async () => {
  const source = [
    'a_password = "hunter2-one"  # noqa: HGR301',
    'b_password = "hunter2-two"  # noqa: hardcoded-secret',
    'c_password = "hunter2-three"  # noqa',
    'd_password = "hunter2-four"  # noqa: HGR302',
  ].join('\n');
  const findings = await analyzeSecurity(source);
  assert.deepEqual(findings.map((f) => [f.ruleId, f.range.start.line]), [['HGR301', 3]]);
});

test('yaml.load without a loader gets the yaml.safe_load fix; a bare imported load gets none', async () => {
  const source = 'import yaml\nfrom yaml import load\ncfg = yaml.load(open("c.yaml"))\nraw = load(open("c.yaml"))\n';
  const findings = await analyzeSecurity(source);
  assert.deepEqual(findings.map((f) => [f.ruleId, f.range.start.line, f.fix?.title]), [
    ['HGR309', 2, 'Use yaml.safe_load'],
    ['HGR309', 3, undefined],
  ]);
  const edit = findings[0]!.fix!.edits[0]!;
  const line = source.split('\n')[2]!;
  assert.equal(line.slice(0, edit.range.start.character) + edit.newText + line.slice(edit.range.end.character), 'cfg = yaml.safe_load(open("c.yaml"))');
});

test('imports are followed: aliases and from-imports resolve, shadowing methods do not', async () => {
  const source = [
    'import subprocess as sp',
    'from os import system as run_shell',
    'sp.call("ls", shell=True)',
    'run_shell("ls")',
    'runner.system("ls")',
    'docker.run("ls", shell=True)',
  ].join('\n');
  const findings = await analyzeSecurity(source);
  assert.deepEqual(findings.map((f) => [f.ruleId, f.range.start.line]), [['HGR306', 2], ['HGR307', 3]]);
});

test('secrets inside comments are left to code review; inside docstrings only known formats are reported', async () => {
  const source = [
    '"""Connects as postgresql://etl:example-pass@db/dwh with token ghp_pfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rlg."""',
    '# password = "hunter2-prod"  AKIAUJZDE8GXD6NCF10E',
  ].join('\n');
  const findings = await analyzeSecurity(source);
  assert.deepEqual(findings.map((f) => f.ruleId), ['HGR302']);
});

test('bad input: huge literals, binary content, deep nesting and an empty file end without throwing', { timeout: 60_000 }, async () => {
  // The security rules only need the model's name resolution: an empty file's model keeps this test about them.
  const emptyTree = await parse('');
  const model = buildModel(emptyTree, '');
  const inputs = [
    '',
    `password = "${'a'.repeat(200_000)}"\nx = "${'ghp_'.repeat(50_000)}"`,
    '\u0000\u0001\uFFFD'.repeat(10_000),
    `x = ${'('.repeat(10_000)}1${')'.repeat(10_000)}`,
    `cmd = "${'curl '.repeat(20_000)}"\nu = "${'://'.repeat(20_000)}"\nt = "${'{{ params.x '.repeat(5_000)}"`,
  ];
  // A pattern with catastrophic backtracking would not finish on these inputs: the test's timeout catches it.
  for (const input of inputs) {
    const tree = await parse(input);
    runRules(tree, input, 'dags/bad.py', securityRules, model);
    tree.delete();
  }
});
