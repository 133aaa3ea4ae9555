import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileChangeType } from 'vscode-languageserver-protocol';
import { fileUri, LspClient, type Published } from './lspClient';

const DAG = `from datetime import datetime

from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator
from common import default_args

with DAG("etl", schedule=None, start_date=datetime(2025, 1, 1), default_args=default_args):
    EmptyOperator(task_id="a")
`;
const CLEAN_HELPER = 'default_args = {"retries": 1}\n';
const OLD_HELPER = 'from airflow.models.taskinstance import Context\n\ndefault_args = {"retries": 1}\n';

const helperFinding = (p: Published) => p.diagnostics.find((d) => d.code === 'HGR110');

describe('language server: helper modules', () => {
  let root: string;
  let client: LspClient;
  const dagUri = () => fileUri(path.join(root, 'dags', 'etl.py'));
  const helper = () => path.join(root, 'common', '__init__.py');

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'hangar-lsp-helpers-'));
    mkdirSync(path.join(root, 'dags'));
    mkdirSync(path.join(root, 'common'));
    writeFileSync(path.join(root, 'dags', 'etl.py'), DAG);
    writeFileSync(helper(), OLD_HELPER);
    client = await LspClient.start({ root, settings: () => ({}) });
  });
  after(async () => {
    await client?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test("a background DAG file reports its helper's removed API on the import line", async () => {
    const published = await client.diagnostics(dagUri(), (p) => helperFinding(p) !== undefined);
    const finding = helperFinding(published)!;
    assert.equal(finding.range.start.line, 4);
    assert.match(finding.message, /Imports common, which uses airflow\.models\.taskinstance\.Context: common\/__init__\.py:1:/);
  });

  test('editing the helper in the editor re-analyses the DAG file that imports it, and so does a change on disk', async () => {
    const cleared = client.nextDiagnostics(dagUri(), (p) => helperFinding(p) === undefined);
    await client.open(fileUri(helper()), OLD_HELPER, 1);
    await client.change(fileUri(helper()), 2, [{ text: CLEAN_HELPER }]);
    await cleared;
    const back = client.nextDiagnostics(dagUri(), (p) => helperFinding(p) !== undefined);
    await client.change(fileUri(helper()), 3, [{ text: OLD_HELPER }]);
    await back;
    await client.close(fileUri(helper()));
    const fixedOnDisk = client.nextDiagnostics(dagUri(), (p) => helperFinding(p) === undefined);
    writeFileSync(helper(), CLEAN_HELPER);
    await client.filesChanged([{ uri: fileUri(helper()), type: FileChangeType.Changed }]);
    await fixedOnDisk;
  });
});
