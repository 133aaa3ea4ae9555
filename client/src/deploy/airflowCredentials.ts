import type * as vscode from 'vscode';
import { credentialsFromEnv, type AirflowCredentials } from '../../../server/src/airflow/client';
import type { Prompts } from '../prompts';

const KEY = 'hangar.airflow.';

/** What is kept per environment: the credentials and the Airflow URL they were entered for. */
interface Bound {
  readonly url: string;
  readonly credentials: AirflowCredentials;
}

/** The URL as the REST client uses it (no trailing slash), so `http://a/` and `http://a` are one Airflow. */
const bindingOf = (url: string): string => url.trim().replace(/\/+$/, '');

/**
 * Airflow credentials per environment, in SecretStorage only (never settings, files or logs), bound to the Airflow
 * URL they were entered for: a workspace that names the environment with another URL gets nothing and is asked for
 * its own (SecretStorage is shared by every workspace the editor opens).
 */
export class AirflowCredentialStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /**
   * The credentials stored for the environment when they were entered for `url` (else undefined, as for ones an
   * earlier Hangar stored without their URL); without stored ones, those of the editor's environment (the CLI's
   * variables; `npm run demo` sets them).
   */
  async get(environment: string, url: string): Promise<AirflowCredentials | undefined> {
    const text = await this.secrets.get(KEY + environment);
    if (text) {
      const stored = JSON.parse(text) as Partial<Bound>;
      return stored.url === bindingOf(url) ? stored.credentials : undefined;
    }
    const fromEnv = credentialsFromEnv();
    return fromEnv.token || (fromEnv.username && fromEnv.password) ? fromEnv : undefined;
  }

  async store(environment: string, url: string, credentials: AirflowCredentials): Promise<void> {
    await this.secrets.store(KEY + environment, JSON.stringify({ url: bindingOf(url), credentials } satisfies Bound));
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
    await this.store(environment, url, credentials);
    return credentials;
  }
}
