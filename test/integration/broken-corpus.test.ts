import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { airflowPythonOrSkip, dagbagImport, type DagBagResult } from '../support/airflow';
import { BROKEN_DIR, CLEAN_DIR, pythonFiles, readManifest } from '../support/brokenCorpus';

describe('fixture corpora agree with the real Airflow DagBag', () => {
  let broken: DagBagResult[] = [];
  let clean: DagBagResult[] = [];
  before(async (t) => {
    const python = await airflowPythonOrSkip(t);
    if (!python) return;
    [broken, clean] = await Promise.all([dagbagImport(python, BROKEN_DIR), dagbagImport(python, CLEAN_DIR)]);
  });

  test('the manifest lists every broken fixture, at least 25', () => {
    const names = pythonFiles(BROKEN_DIR).map((file) => path.basename(file));
    assert.ok(names.length >= 25, `only ${names.length} broken fixtures`);
    assert.deepEqual(Object.keys(readManifest().files).sort(), names);
  });

  test('Airflow rejects every broken fixture with the exception and line in the manifest', (t) => {
    if (!broken.length) return t.skip('Airflow not available');
    const manifest = readManifest();
    for (const result of broken) {
      const name = path.basename(result.file);
      const expected = manifest.files[name];
      assert.ok(result.error, `Airflow imports ${name} cleanly: it does not belong in the broken corpus`);
      assert.equal(result.exception, expected?.exception, `${name}: ${result.summary}`);
      assert.equal(result.line, expected?.line, `${name}: Airflow now reports line ${result.line}; regenerate the manifest (node --import tsx test/support/brokenCorpus.ts)`);
    }
  });

  test('Airflow imports every clean fixture and finds its DAGs', (t) => {
    if (!clean.length) return t.skip('Airflow not available');
    assert.ok(clean.length >= 12, `only ${clean.length} clean fixtures`);
    for (const result of clean) {
      assert.equal(result.error, null, `${path.basename(result.file)}: ${result.summary}`);
      assert.ok(result.dag_ids.length > 0, `${path.basename(result.file)} defines no DAG`);
    }
  });
});
