import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { airflowPythonOrSkip, dagbagImport, type AirflowLine, type DagBagResult, prerequisite } from '../support/airflow';
import { atLeastFloor } from '../support/floors';
import { BROKEN_DIR, CLEAN_DIR, pythonFiles, readManifest } from '../support/brokenCorpus';

/** The manifest is written from the primary target's DagBag (3.3); the next release (the 3.4 beta) must agree with it. */
const LINES: readonly AirflowLine[] = ['3.3', '3.4'];

for (const line of LINES) describe(`fixture corpora agree with the real Airflow ${line} DagBag`, () => {
  let broken: DagBagResult[] = [];
  let clean: DagBagResult[] = [];
  before(async (t) => {
    const python = await airflowPythonOrSkip(t, line);
    if (!python) return;
    [broken, clean] = await Promise.all([dagbagImport(python, BROKEN_DIR), dagbagImport(python, CLEAN_DIR)]);
  });

  test('the manifest lists every broken fixture, as many as the README claims', () => {
    const names = pythonFiles(BROKEN_DIR).map((file) => path.basename(file));
    atLeastFloor('brokenFixtures', names.length);
    assert.deepEqual(Object.keys(readManifest().files).sort(), names);
  });

  test('Airflow rejects every broken fixture with the exception and line in the manifest', (t) => {
    if (!prerequisite(t, broken.length, 'Airflow is not available, or its DagBag returned nothing for the broken corpus')) return;
    const manifest = readManifest();
    for (const result of broken) {
      const name = path.basename(result.file);
      const expected = manifest.files[name];
      assert.ok(result.error, `Airflow imports ${name} cleanly: it does not belong in the broken corpus`);
      assert.equal(result.exception, expected?.exception, `${name}: ${result.summary}`);
      assert.equal(result.line, expected?.line, `${name}: Airflow ${line} reports line ${result.line}; regenerate the manifest (node --import tsx test/support/brokenCorpus.ts)`);
    }
  });

  test('Airflow imports every clean fixture and finds its DAGs', (t) => {
    if (!prerequisite(t, clean.length, 'Airflow is not available, or its DagBag returned nothing for the clean corpus')) return;
    assert.ok(clean.length >= 12, `only ${clean.length} clean fixtures`);
    for (const result of clean) {
      assert.equal(result.error, null, `${path.basename(result.file)}: ${result.summary}`);
      assert.ok(result.dag_ids.length > 0, `${path.basename(result.file)} defines no DAG`);
    }
  });
});
