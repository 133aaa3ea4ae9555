/**
 * Where Hangar's PostgreSQL is: `HANGAR_DATABASE_URL` (a `postgresql://` URL), or the standard variables `pg` reads
 * itself (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGPASSFILE). Without either, Hangar keeps its embedded
 * defaults. Settings come from the environment only, never from arguments, and no password reaches a message.
 */
export interface DatabaseSettings {
  /** From HANGAR_DATABASE_URL; undefined when the PG* variables describe the database (pg reads them itself). */
  readonly connectionString?: string;
  /** `host:port/database` for messages: never a user name or password. */
  readonly where: string;
  /** Text that must never appear in a message (passwords, the URL). */
  readonly secrets: readonly string[];
}

const URL_VARIABLE = 'HANGAR_DATABASE_URL';

/** The database the environment names, or undefined (embedded mode). Throws on a malformed URL, without echoing it. */
export function databaseSettings(env: NodeJS.ProcessEnv = process.env): DatabaseSettings | undefined {
  const url = env[URL_VARIABLE]?.trim();
  const secrets = [env.PGPASSWORD].filter((s): s is string => Boolean(s));
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`${URL_VARIABLE} is not a URL: set it to postgresql://USER@HOST:PORT/DATABASE (the password in PGPASSWORD or PGPASSFILE, or in the URL)`);
    }
    if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
      throw new Error(`${URL_VARIABLE} must start with postgresql:// (it starts with ${parsed.protocol}//)`);
    }
    const password = decodeURIComponent(parsed.password);
    return {
      connectionString: url,
      where: `${parsed.hostname || env.PGHOST || 'localhost'}:${parsed.port || env.PGPORT || 5432}/${decodeURIComponent(parsed.pathname.slice(1)) || env.PGDATABASE || '(default)'}`,
      secrets: [url, ...(password ? [password, parsed.password] : []), ...secrets],
    };
  }
  if (!env.PGHOST && !env.PGDATABASE) return undefined;
  return { where: `${env.PGHOST ?? 'localhost'}:${env.PGPORT ?? 5432}/${env.PGDATABASE ?? env.PGUSER ?? '(default)'}`, secrets };
}

/** `text` with every secret of `settings`, and any credentials of a postgres URL, replaced by `***`. */
export function scrub(text: string, settings: DatabaseSettings): string {
  let clean = text;
  for (const secret of [...settings.secrets].sort((a, b) => b.length - a.length)) clean = clean.split(secret).join('***');
  return clean.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@');
}
