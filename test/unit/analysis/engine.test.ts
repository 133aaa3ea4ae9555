import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfigFor, parseConfig } from '../../../server/src/analysis/config';
import { DagIndex } from '../../../server/src/analysis/dagIndex';
import { analyzeBytes, analyzeTree, isKnownSelector } from '../../../server/src/analysis/engine';
import { decodeSource } from '../../../server/src/analysis/input';
import { createPythonParser } from '../../../server/src/analysis/parser';
import { findings, inDag } from './helpers';

const parserReady = createPythonParser();

describe('# noqa', () => {
  const bad = inDag('EmptyOperator(task_id="a")\nEmptyOperator(task_id="a")  # noqa: SUFFIX');
  it('bare # noqa suppresses every finding on its line', async () => {
    assert.equal((await findings(bad.replace('# noqa: SUFFIX', '# noqa'))).filter((f) => f.ruleId === 'HGR005').length, 0);
  });
  it('# noqa: ID and # noqa: name suppress only that rule', async () => {
    assert.equal((await findings(bad.replace('SUFFIX', 'HGR005'))).filter((f) => f.ruleId === 'HGR005').length, 0);
    assert.equal((await findings(bad.replace('SUFFIX', 'duplicate-task-id'))).filter((f) => f.ruleId === 'HGR005').length, 0);
    assert.equal((await findings(bad.replace('SUFFIX', 'HGR101, E501'))).filter((f) => f.ruleId === 'HGR005').length, 1);
  });
});

describe('configuration', () => {
  it('select, ignore and severity change what is reported', async () => {
    const source = inDag('EmptyOperator(task_id="a")', 'dag_id="x"');
    const base = { select: [], ignore: [], severity: {}, targetAirflow: '2' };
    assert.ok((await findings(source, base)).some((f) => f.ruleId === 'HGR209'));
    assert.ok(!(await findings(source, { ...base, ignore: ['missing-schedule'] })).some((f) => f.ruleId === 'HGR209'));
    assert.ok(!(await findings(source, { ...base, select: ['HGR0'] })).some((f) => f.ruleId === 'HGR209'));
    assert.equal((await findings(source, { ...base, severity: { HGR209: 'error' } })).find((f) => f.ruleId === 'HGR209')?.severity, 'error');
    assert.ok(!(await findings(source, { ...base, severity: { 'missing-schedule': 'off' } })).some((f) => f.ruleId === 'HGR209'));
  });

  it('reads [tool.hangar] from pyproject.toml and hangar.toml, upward from the file', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hangar-config-'));
    mkdirSync(path.join(root, 'dags', 'team'), { recursive: true });
    writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "x"\n\n[tool.hangar]\nignore = ["HGR209"]\nseverity = { HGR203 = "error" }\n');
    const config = loadConfigFor(path.join(root, 'dags', 'team', 'a.py'), isKnownSelector);
    assert.deepEqual(config.ignore, ['HGR209']);
    assert.equal(config.severity.HGR203, 'error');
    writeFileSync(path.join(root, 'dags', 'hangar.toml'), 'select = ["HGR0"]\n');
    assert.deepEqual(loadConfigFor(path.join(root, 'dags', 'team', 'a.py'), isKnownSelector).select, ['HGR0']);
  });

  it('explains malformed configuration with file, line and what is wrong', () => {
    const cases: [string, number, RegExp][] = [
      ['select = ["HGR001"\n', 2, /invalid TOML/],
      ['select = "HGR001"\n', 1, /must be a list/],
      ['\nselekt = ["HGR001"]\n', 2, /unknown key "selekt"/],
      ['\n\nignore = ["HGR999"]\n', 3, /unknown rule "HGR999"/],
      ['severity = { HGR005 = "loud" }\n', 1, /must be one of error, warning, info, hint, off/],
    ];
    for (const [text, line, message] of cases) {
      assert.throws(() => parseConfig(text, 'hangar.toml', isKnownSelector), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.file, 'hangar.toml');
        assert.equal(error.line, line, text);
        assert.match(error.message, message);
        return true;
      });
    }
  });
});

describe('dag_id index', () => {
  it('reports duplicate dag_ids on each file and updates per file', async () => {
    const parser = await parserReady;
    const index = new DagIndex();
    const analyze = (file: string, source: string) => {
      const tree = parser.parse(source)!;
      try {
        return analyzeTree({ path: file, source, tree, dagIndex: index });
      } finally {
        tree.delete();
      }
    };
    const dagA = inDag('EmptyOperator(task_id="a")', 'dag_id="shared", schedule=None');
    analyze('dags/a.py', dagA);
    const b = analyze('dags/b.py', dagA);
    assert.deepEqual(b.affectedFiles, ['dags/a.py']);
    assert.match(b.findings.find((f) => f.ruleId === 'HGR006')!.message, /also defined in dags\/a\.py/);
    assert.deepEqual(index.filesDefining('shared'), ['dags/a.py', 'dags/b.py']);
    const renamed = analyze('dags/b.py', dagA.replace('"shared"', '"other"'));
    assert.deepEqual(renamed.affectedFiles, ['dags/a.py']);
    assert.equal(renamed.findings.filter((f) => f.ruleId === 'HGR006').length, 0);
    assert.deepEqual(index.duplicatesIn('dags/a.py'), []);
    assert.deepEqual(index.remove('dags/b.py'), []);
  });
});

describe('bad input', () => {
  const run = async (bytes: Uint8Array) => analyzeBytes({ path: 'dags/bad.py', bytes, parser: await parserReady });

  it('empty file: no findings', async () => {
    assert.deepEqual((await run(new Uint8Array())).findings, []);
  });
  it('binary content: one syntax error', async () => {
    const result = await run(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    assert.deepEqual(result.findings.map((f) => [f.ruleId, f.severity]), [['HGR001', 'error']]);
    assert.match(result.findings[0]!.message, /NUL bytes/);
  });
  it('invalid UTF-8: one syntax error on the right line', async () => {
    const result = await run(Buffer.concat([Buffer.from('x = 1\ny = "'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')]));
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0]!.range.start.line, 1);
    assert.match(result.findings[0]!.message, /not valid UTF-8/);
  });
  it('10,000 nested parentheses: one syntax error, no stack overflow', async () => {
    const result = await run(Buffer.from(`x = ${'('.repeat(10_000)}1${')'.repeat(10_000)}\n`));
    assert.equal(result.findings.length, 1);
    assert.match(result.findings[0]!.message, /too many nested parentheses/);
  });
  it('a file over the size limit is skipped with one warning', async () => {
    const result = await run(new Uint8Array(1024 * 1024 + 1).fill(0x20));
    assert.deepEqual(result.findings.map((f) => [f.ruleId, f.severity]), [['HGR014', 'warning']]);
  });
  it('a UTF-8 BOM is not an error', () => {
    assert.deepEqual(decodeSource(Buffer.from('\ufeffx = 1\n')), { source: 'x = 1\n' });
  });
});

describe('compatibility code', () => {
  it('imports guarded by try/except ImportError or an Airflow version check are not reported', async () => {
    const source = `try:
    from airflow.operators.bash_operator import BashOperator
except ImportError:
    from airflow.providers.standard.operators.bash import BashOperator

from airflow.providers.common.compat.version_compat import AIRFLOW_V_3_0_PLUS

if AIRFLOW_V_3_0_PLUS:
    from airflow.sdk import Asset
else:
    from airflow.datasets import Dataset as Asset
`;
    assert.deepEqual((await findings(source)).filter((f) => f.ruleId.startsWith('HGR1')).map((f) => f.message), []);
  });

  it('code under if __name__ == "__main__" does not run at parse time', async () => {
    const source = inDag('EmptyOperator(task_id="a")') + '\nif __name__ == "__main__":\n    import time\n    time.sleep(5)\n';
    assert.deepEqual((await findings(source)).filter((f) => f.ruleId === 'HGR207'), []);
  });
});
