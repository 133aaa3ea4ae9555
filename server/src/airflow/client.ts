import type { TokenCommand } from '../deploy/types';
import { AirflowError } from './errors';
import { errorReason, redact } from './redact';
import { commandToken, forgetCommandToken } from './tokenCommand';
import { NO_REDIRECTS, redirectOrigin } from '../redirects';

export { AirflowError } from './errors';

/** Credentials for an Airflow REST API; never logged, never part of an error message. */
export interface AirflowCredentials {
  readonly username?: string;
  readonly password?: string;
  /** A ready bearer token (Airflow 3) instead of username/password. */
  readonly token?: string;
  /** A program whose standard output is the bearer token (auth: command); it wins over the others. */
  readonly command?: TokenCommand;
}

export interface AirflowDag {
  readonly dag_id: string;
  readonly fileloc?: string;
  readonly relative_fileloc?: string;
  readonly file_token?: string;
  readonly bundle_name?: string;
  readonly bundle_version?: string | null;
  readonly last_parsed_time?: string | null;
  readonly is_stale?: boolean;
}

export interface AirflowImportError {
  readonly filename: string;
  readonly stack_trace: string;
  readonly timestamp: string;
  readonly bundle_name?: string;
}

export interface AirflowDagVersion {
  readonly version_number: number;
  readonly bundle_name?: string;
  readonly bundle_version?: string | null;
  readonly created_at: string;
}

/** A DAG bundle as Airflow 3.4+ reports it (`GET /api/v2/dagBundles/{name}`). */
export interface AirflowBundle {
  readonly name: string;
  /** The version Airflow holds (a Git bundle: the commit); null for a bundle without versions. */
  readonly version: string | null;
  /** When a DAG processor last refreshed the bundle. */
  readonly last_refreshed: string | null;
}

/** One DAG run, from Airflow 3 (`/api/v2`, with the DAG versions it ran) or Airflow 2 (`/api/v1`). */
export interface AirflowDagRun {
  readonly dag_id: string;
  readonly dag_run_id: string;
  readonly state: string;
  readonly start_date: string | null;
  readonly end_date: string | null;
  /** Airflow 3: the bundle version the run executed (Git bundle: the commit). */
  readonly bundle_version?: string | null;
  /** Airflow 3: the DAG versions the run used. */
  readonly dag_versions?: readonly AirflowDagVersion[];
}

/**
 * Airflow 3 (`/api/v2`, JWT from `POST /auth/token`) or Airflow 2 (`/api/v1`, basic auth). Airflow's answers are not
 * trusted: text from them reaches errors and results only redacted (see redact.ts), never the raw body.
 */
export class AirflowClient {
  private readonly base: string;
  private token: string | undefined;
  private versionAnswer: Promise<string> | undefined;

  constructor(
    url: string,
    readonly version: 2 | 3,
    private readonly credentials: AirflowCredentials,
    private readonly timeoutMs = 10_000,
  ) {
    const parsed = URL.canParse(url) ? new URL(url) : undefined;
    if (parsed?.username || parsed?.password) {
      throw new AirflowError(`airflow.url must not hold a user name or password; set HANGAR_AIRFLOW_USERNAME and HANGAR_AIRFLOW_PASSWORD (or HANGAR_AIRFLOW_TOKEN) instead.`, 'credentials');
    }
    this.base = url.replace(/\/+$/, '');
    this.token = credentials.token;
  }

  /** Everything secret this client holds or sends, for redacting what Airflow answers. */
  private secrets(): string[] {
    const { username = '', password, token } = this.credentials;
    const basic = password ? Buffer.from(`${username}:${password}`).toString('base64') : undefined;
    return [password, token, this.token, basic].filter((s): s is string => Boolean(s));
  }

  private get api(): string {
    return `${this.base}/api/${this.version === 3 ? 'v2' : 'v1'}`;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, ...NO_REDIRECTS, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new AirflowError(`Airflow at ${this.base} is unreachable (${reason}). Check the environment's airflow.url and that the Airflow API server is running.`, 'unreachable');
    }
    const redirect = redirectOrigin(response, url);
    if (redirect) {
      throw new AirflowError(
        `Airflow at ${this.base} answered ${init.method ?? 'GET'} ${new URL(url).pathname.replace(/^\/api\/v[12]/, '')} with a redirect to ${redirect}; Hangar sends credentials only to airflow.url itself and never follows redirects. Set airflow.url to the address the API server answers on.`,
        'http',
        response.status,
      );
    }
    return response;
  }

  private async authorization(): Promise<string> {
    if (this.credentials.command) {
      this.token = await commandToken(this.credentials.command);
      return `Bearer ${this.token}`;
    }
    if (this.version === 2) {
      const { username = '', password = '' } = this.credentials;
      return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    if (!this.token) {
      if (!this.credentials.username || !this.credentials.password) {
        throw new AirflowError(`No credentials for Airflow at ${this.base}: set HANGAR_AIRFLOW_USERNAME and HANGAR_AIRFLOW_PASSWORD (or HANGAR_AIRFLOW_TOKEN).`, 'credentials');
      }
      const response = await this.send(`${this.base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: this.credentials.username, password: this.credentials.password }),
      });
      if (response.status === 401 || response.status === 403) {
        throw new AirflowError(`Airflow at ${this.base} rejected the credentials of user "${this.credentials.username}". Check the user name and password.`, 'credentials', response.status);
      }
      if (response.status === 404) {
        throw new AirflowError(`${this.base} has no /auth/token endpoint: it is not Airflow 3. If it runs Airflow 2, set airflow.version: 2 for this environment.`, 'version', 404);
      }
      if (!response.ok) throw new AirflowError(`Airflow at ${this.base} answered ${response.status} to the token request.`, 'http', response.status);
      const { access_token: token } = (await this.json<{ access_token?: unknown }>(response, 'POST /auth/token')) ?? {};
      if (typeof token !== 'string' || !token) throw new AirflowError(`Airflow at ${this.base} answered the token request without a token.`, 'credentials', response.status);
      this.token = token;
    }
    return `Bearer ${this.token}`;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(`${this.api}${path}`, {
      method,
      headers: { authorization: await this.authorization(), accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 401 || response.status === 403) {
      if (this.credentials.command) {
        forgetCommandToken(this.credentials.command);
        throw new AirflowError(`Airflow at ${this.base} rejected the token of the token command (${response.status}). Check that airflow.command prints a token this Airflow accepts, for a user who may read DAGs.`, 'credentials', response.status);
      }
      throw new AirflowError(`Airflow at ${this.base} rejected the credentials (${response.status}). Check the user name and password, and that the user may read DAGs.`, 'credentials', response.status);
    }
    if (response.status === 404 && (path === '/version' || path.startsWith('/dags?'))) {
      const other = this.version === 3 ? 2 : 3;
      throw new AirflowError(`${this.api} does not exist: Airflow at ${this.base} is not Airflow ${this.version}. Set airflow.version: ${other} for this environment.`, 'version', 404);
    }
    if (!response.ok) {
      const reason = errorReason(await response.text(), this.secrets());
      throw new AirflowError(`Airflow answered ${response.status} to ${method} ${path}${reason ? `: ${reason}` : ''}`, 'http', response.status);
    }
    return (await this.json<T>(response, `${method} ${path}`)) as T;
  }

  /** The JSON of an answer (undefined when empty). JSON.parse quotes the start of the text it rejects: never passed on. */
  private async json<T>(response: Response, request: string): Promise<T | undefined> {
    const text = await response.text();
    try {
      return text ? (JSON.parse(text) as T) : undefined;
    } catch {
      throw new AirflowError(`Airflow answered ${response.status} to ${request} with a body that is not JSON: check the environment's airflow.url.`, 'http', response.status);
    }
  }

  /** Checks reachability, credentials and the API version in one call. */
  async checkConnection(): Promise<string> {
    const answer = await this.request<{ version?: unknown }>('GET', '/version');
    const version = typeof answer.version === 'string' && /^\d+\.\d+\S{0,40}$/.test(answer.version) ? answer.version : undefined;
    if (!version) throw new AirflowError(`${this.base} answered /version without an Airflow version: check the environment's airflow.url.`, 'version');
    const major = Number(version.split('.')[0]);
    if (major !== this.version) {
      throw new AirflowError(`Airflow at ${this.base} runs ${version}, but the environment says airflow.version: ${this.version}. Set it to ${major}.`, 'version');
    }
    return version;
  }

  async listDags(): Promise<AirflowDag[]> {
    const dags: AirflowDag[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await this.request<{ dags: AirflowDag[]; total_entries: number }>('GET', `/dags?limit=100&offset=${offset}`);
      dags.push(...page.dags);
      if (page.dags.length < 100 || dags.length >= page.total_entries) return dags;
    }
  }

  async dagDetails(dagId: string): Promise<AirflowDag> {
    return this.request<AirflowDag>('GET', `/dags/${encodeURIComponent(dagId)}/details`);
  }

  async importErrors(): Promise<AirflowImportError[]> {
    const errors: AirflowImportError[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await this.request<{ import_errors: AirflowImportError[]; total_entries: number }>('GET', `/importErrors?limit=100&offset=${offset}`);
      errors.push(...page.import_errors.map((e) => ({ ...e, filename: redact(e.filename, this.secrets()), stack_trace: this.redactLines(e.stack_trace) })));
      if (page.import_errors.length < 100 || errors.length >= page.total_entries) return errors;
    }
  }

  /** The newest versions of a DAG; with `bundleVersion`, only those parsed from that bundle version. */
  async dagVersions(dagId: string, bundleVersion?: string): Promise<AirflowDagVersion[]> {
    const filter = bundleVersion === undefined ? '' : `&bundle_version=${encodeURIComponent(bundleVersion)}`;
    const page = await this.request<{ dag_versions: AirflowDagVersion[] }>('GET', `/dags/${encodeURIComponent(dagId)}/dagVersions?order_by=-version_number&limit=5${filter}`);
    return page.dag_versions.map((v) => this.cleanVersion(v));
  }

  private cleanVersion(v: AirflowDagVersion): AirflowDagVersion {
    return { version_number: v.version_number, created_at: v.created_at, ...(v.bundle_name ? { bundle_name: redact(v.bundle_name, this.secrets()) } : {}), ...(v.bundle_version ? { bundle_version: redact(v.bundle_version, this.secrets()) } : {}) };
  }

  /** The Airflow version (`GET /version`), asked once per client. */
  serverVersion(): Promise<string> {
    this.versionAnswer ??= this.checkConnection().catch((error: unknown) => {
      this.versionAnswer = undefined;
      throw error;
    });
    return this.versionAnswer;
  }

  /** A bundle's version and last refresh (Airflow 3.4+); undefined where Airflow has no such endpoint or bundle. */
  async dagBundle(name: string): Promise<AirflowBundle | undefined> {
    if (this.version !== 3) return undefined;
    try {
      const b = await this.request<AirflowBundle>('GET', `/dagBundles/${encodeURIComponent(name)}`);
      return { name, version: typeof b.version === 'string' ? redact(b.version, this.secrets()) : null, last_refreshed: typeof b.last_refreshed === 'string' ? b.last_refreshed : null };
    } catch (error) {
      if (error instanceof AirflowError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** The newest runs of a DAG, newest first. */
  async dagRuns(dagId: string, limit = 50): Promise<AirflowDagRun[]> {
    const order = this.version === 3 ? '-start_date' : '-execution_date';
    const page = await this.request<{ dag_runs: AirflowDagRun[] }>('GET', `/dags/${encodeURIComponent(dagId)}/dagRuns?order_by=${order}&limit=${limit}`);
    return page.dag_runs.map((r) => ({
      dag_id: dagId,
      dag_run_id: redact(String(r.dag_run_id), this.secrets()),
      state: redact(String(r.state), this.secrets()),
      start_date: typeof r.start_date === 'string' ? r.start_date : null,
      end_date: typeof r.end_date === 'string' ? r.end_date : null,
      ...(typeof r.bundle_version === 'string' ? { bundle_version: redact(r.bundle_version, this.secrets()) } : {}),
      ...(Array.isArray(r.dag_versions) ? { dag_versions: r.dag_versions.map((v) => this.cleanVersion(v)) } : {}),
    }));
  }

  /** The source of the file defining the DAG, as Airflow last parsed it (Airflow 3; Airflow 2 returns no content here). */
  async dagSource(dagId: string): Promise<string | undefined> {
    const response = await this.request<{ content?: string | null }>('GET', `/dagSources/${encodeURIComponent(dagId)}`);
    return response.content ?? undefined;
  }

  /** A traceback redacted line by line (its lines are kept: the import error mapping reads them). */
  private redactLines(text: string): string {
    return text
      .split('\n')
      .map((line) => redact(line, this.secrets()))
      .join('\n');
  }

  /** Asks the DAG processor to parse one known file now instead of at its next refresh. */
  async reparse(fileToken: string): Promise<void> {
    await this.request('PUT', `/parseDagFile/${encodeURIComponent(fileToken)}`);
  }
}

/** Credentials from the environment (documented in the README); never from the command line. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): AirflowCredentials {
  return {
    ...(env.HANGAR_AIRFLOW_USERNAME ? { username: env.HANGAR_AIRFLOW_USERNAME } : {}),
    ...(env.HANGAR_AIRFLOW_PASSWORD ? { password: env.HANGAR_AIRFLOW_PASSWORD } : {}),
    ...(env.HANGAR_AIRFLOW_TOKEN ? { token: env.HANGAR_AIRFLOW_TOKEN } : {}),
  };
}
