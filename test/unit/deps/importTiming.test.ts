import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createPythonParser, type Parser } from '../../../server/src/analysis/parser';
import { importFindings } from '../../../server/src/deps/check';
import type { PythonEnvironment } from '../../../server/src/pyenv/environment';

/** An interpreter with Airflow and nothing else: every other package is missing. */
const ENV: PythonEnvironment = {
  python: '/opt/airflow/bin/python',
  pythonVersion: '3.12.0',
  airflow: '3.1.0',
  distributions: new Map([['apache-airflow', '3.1.0']]),
  modules: new Map([['airflow', ['apache-airflow']]]),
  stdlib: new Set(['json', 'typing', 'os']),
};

describe('HGR501: an import is an error only when it runs while Airflow imports the file', () => {
  let parser: Parser;
  before(async () => {
    parser = await createPythonParser();
  });
  const findings = (source: string): string[] => {
    const tree = parser.parse(source)!;
    try {
      return importFindings(tree, source, 'dag.py', { env: ENV, isLocal: () => false }).map((f) => `${f.severity} ${f.distribution} line ${f.range.start.line + 1}`);
    } finally {
      tree.delete();
    }
  };

  test('a module-level import of a missing package is an error (Airflow cannot import the file)', () => {
    assert.deepEqual(findings('import pandas\nfrom airflow.sdk import dag\n'), ['error pandas line 1']);
    assert.deepEqual(findings('if True:\n    from boto3 import client\n'), ['error boto3 line 2']);
  });

  test('an import in a function that module-level code calls runs at parse time: an error', () => {
    assert.deepEqual(findings('def client():\n    import boto3\n    return boto3\n\nS3 = client()\n'), ['error boto3 line 2']);
  });

  test('an import inside a task or function body is a warning: the file imports, the task fails on run', () => {
    const source = 'from airflow.sdk import task\n\n@task\ndef extract():\n    from airflow.providers.amazon.aws.hooks.s3 import S3Hook\n    return S3Hook\n\nrun = lambda: __import__("x")\n';
    assert.deepEqual(findings(source), ['warning apache-airflow-providers-amazon line 5']);
    assert.deepEqual(findings('class Hook:\n    def get(self):\n        import requests\n'), ['warning requests line 3']);
  });

  test('imports the file guards (except ImportError, ModuleNotFoundError, Exception, bare except; TYPE_CHECKING, a version check) are not reported', () => {
    const guarded = [
      'try:\n    import ujson as json\nexcept ImportError:\n    import json\n',
      'try:\n    import ujson\nexcept (ValueError, ModuleNotFoundError):\n    ujson = None\n',
      'try:\n    import ujson\nexcept Exception as error:\n    ujson = None\n',
      'try:\n    import ujson\nexcept:\n    ujson = None\n',
      'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pandas\n',
      'import typing\nif typing.TYPE_CHECKING:\n    import pandas\n',
      'from airflow import __version__ as VERSION\nif VERSION >= "3":\n    import pandas\n',
    ];
    for (const source of guarded) assert.deepEqual(findings(source), [], source);
  });

  test('a guard that does not catch import errors, and imports in except or finally clauses, still count', () => {
    assert.deepEqual(findings('try:\n    import pandas\nexcept ValueError:\n    pass\n'), ['error pandas line 2']);
    assert.deepEqual(findings('try:\n    import json\nexcept ImportError:\n    import pandas\n'), ['error pandas line 4']);
    assert.deepEqual(findings('try:\n    pass\nfinally:\n    import pandas\n'), ['error pandas line 4']);
  });

  test('the same package imported in a task and at module level is one error, on the module-level import', () => {
    assert.deepEqual(findings('def f():\n    import pandas\n\nimport pandas as pd\n'), ['error pandas line 4']);
  });
});
