/**
 * The URI checks Airflow runs when an `Asset(...)` is created (the task SDK's `_sanitize_uri`, then the `sanitize_uri`
 * handler the provider registers for the scheme), for the schemes whose rules are written here. Read from the
 * providers' `assets/*.py` (apache-airflow-providers-* as installed with Airflow 3.3 and 3.4). A URI of another
 * scheme is not judged.
 */
interface SchemeRule {
  /** What the netloc names, for the message ("an account identifier", "a host"). */
  readonly netloc?: string;
  /** Allowed counts of path segments after the leading slash, and what they are. */
  readonly segments?: { readonly counts: readonly number[]; readonly what: string };
  /** apache-airflow-providers-<provider> registers the handler. */
  readonly provider: string;
}

const DB3 = (what: string): SchemeRule['segments'] => ({ counts: [3], what });
const RULES: Readonly<Record<string, SchemeRule>> = {
  snowflake: { netloc: 'an account identifier', segments: DB3('database, schema, and table names'), provider: 'snowflake' },
  postgres: { netloc: 'a host', segments: DB3('database, schema, and table names'), provider: 'postgres' },
  postgresql: { netloc: 'a host', segments: DB3('database, schema, and table names'), provider: 'postgres' },
  mysql: { netloc: 'a host', segments: { counts: [2], what: 'database and table names' }, provider: 'mysql' },
  mariadb: { netloc: 'a host', segments: { counts: [2], what: 'database and table names' }, provider: 'mysql' },
  bigquery: { netloc: 'a project ID', segments: { counts: [2], what: 'dataset and table names' }, provider: 'google' },
  trino: { netloc: 'a host', segments: DB3('catalog, schema, and table names'), provider: 'trino' },
  databricks: { netloc: 'a host', segments: DB3('catalog, schema, and table names'), provider: 'databricks' },
  redshift: { netloc: 'a host', segments: DB3('database, schema, and table names'), provider: 'amazon' },
  oracle: { netloc: 'a host', segments: DB3('service name, schema, and table names'), provider: 'oracle' },
  mssql: { netloc: 'a host', segments: { counts: [3, 4], what: 'database, schema, and table/view names with optional instance name' }, provider: 'microsoft-mssql' },
  hive: { netloc: 'a host', segments: { counts: [2], what: 'database and table names' }, provider: 'apache-hive' },
  mongodb: { netloc: 'a host', segments: { counts: [2], what: 'a database and collection' }, provider: 'mongo' },
  s3: { netloc: 'a bucket name', provider: 'amazon' },
  gs: { netloc: 'a bucket name', provider: 'google' },
  ftp: { netloc: 'a host', provider: 'ftp' },
  sftp: { netloc: 'a host', provider: 'sftp' },
};

/** Why Airflow rejects this asset URI when the Asset is created, or undefined when it accepts it (or cannot tell). */
export function assetUriProblem(uri: string): string | undefined {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)/.exec(uri);
  if (!match) return undefined; // not a URI: Airflow takes it as it is
  const scheme = match[1]!.toLowerCase();
  if (scheme.startsWith('x-')) return undefined;
  if (scheme === 'airflow') return 'the scheme "airflow" is reserved';
  const rule = RULES[scheme];
  if (!rule) return undefined;
  const netloc = (match[2] ?? '').slice((match[2] ?? '').lastIndexOf('@') + 1);
  const provider = `apache-airflow-providers-${rule.provider}`;
  if (rule.netloc && !netloc) return `${provider} requires ${scheme}:// URIs to contain ${rule.netloc}`;
  const path = match[3]!.replace(/\/+$/, '') || '/';
  const segments = path.split('/').length - 1;
  if (rule.segments && !rule.segments.counts.includes(segments)) {
    const found = path === '/' ? 'none' : `${segments} path segment${segments === 1 ? '' : 's'}`;
    return `${provider} requires ${scheme}:// URIs to contain ${rule.segments.what} after ${rule.netloc}; this one has ${found}`;
  }
  return undefined;
}
