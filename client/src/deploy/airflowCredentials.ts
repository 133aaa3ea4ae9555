import * as vscode from 'vscode';
import { credentialsFromEnv, type AirflowCredentials } from '../../../server/src/airflow/client';
import type { Prompts } from '../prompts';

const KEY = 'hangar.airflow.';

/** Airflow credentials per environment, in SecretStorage only (never settings, files or logs). */
export class AirflowCredentialStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The stored credentials, else those of the editor's environment (the CLI's variables; `npm run demo` sets them). */
  async get(environment: string): Promise<AirflowCredentials | undefined> {
    const text = await this.secrets.get(KEY + environment);
    if (text) return JSON.parse(text) as AirflowCredentials;
    const fromEnv = credentialsFromEnv();
    return fromEnv.token || (fromEnv.username && fromEnv.password) ? fromEnv : undefined;
  }

  async store(environment: string, credentials: AirflowCredentials): Promise<void> {
    await this.secrets.store(KEY + environment, JSON.stringify(credentials));
  }

  async forget(environment: string): Promise<void> {
    await this.secrets.delete(KEY + environment);
  }

  /** Asks for a user name and password (Airflow 3 exchanges them for a token; Airflow 2 uses basic auth). */
  async prompt(ui: Prompts, environment: string, url: string): Promise<AirflowCredentials | undefined> {
    const username = await ui.input(`Airflow of "${environment}"`, `User name for ${url}`, { validate: (v) => (v.trim() ? undefined : 'Enter a user name') });
    if (username === undefined) return undefined;
    const password = await ui.input(`Airflow of "${environment}"`, `Password of ${username.trim()} (kept in the editor's secret storage)`, { password: true });
    if (password === undefined) return undefined;
    const credentials = { username: username.trim(), password };
    await this.store(environment, credentials);
    return credentials;
  }
}
