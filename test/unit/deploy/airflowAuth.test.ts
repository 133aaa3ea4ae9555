import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigFile } from '../../../server/src/config/load';
import { formatConfigError } from '../../../server/src/config/types';
import { toEnvironment } from '../../../server/src/deploy/environments';

const config = (airflow: string): string =>
  `repositories:\n  - { name: team, url: https://git.example.com/team.git }\nenvironments:\n  - name: prod\n    target: { kind: folder, path: /srv/dags }\n    airflow: ${airflow}\n`;

test('airflow auth: command needs a command; the command, its TTL and the refresh interval reach the environment', () => {
  const missing = loadConfigFile('/work/airflow-repos.yaml', config('{ url: "https://airflow.example.com", auth: command }'));
  assert.match(missing.errors.map(formatConfigError).join('\n'), /environments\[0\]\.airflow.*command/);

  const loaded = loadConfigFile('/work/airflow-repos.yaml', config('{ url: "https://airflow.example.com", auth: command, command: [gcloud, auth, print-access-token], token_ttl: 10m, refresh_interval: 60s }'));
  assert.deepEqual(loaded.errors, []);
  const env = toEnvironment(loaded.environments[0]!, loaded.repositories, '/tmp/storage');
  assert.deepEqual(env.airflow, { url: 'https://airflow.example.com', version: 3, refreshIntervalMs: 60_000, tokenCommand: { argv: ['gcloud', 'auth', 'print-access-token'], ttlMs: 600_000 } });

  const notAList = loadConfigFile('/work/airflow-repos.yaml', config('{ url: "https://airflow.example.com", auth: command, command: "gcloud auth print-access-token" }'));
  assert.match(notAList.errors.map(formatConfigError).join('\n'), /command/, 'a command line is a list of arguments, never a shell string');
});
