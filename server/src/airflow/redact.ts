import { scrub } from '../git/errors';

/** Longest reason from an Airflow answer that reaches an error message. */
const MAX_REASON = 200;

/** A JSON Web Token (three base64url parts, the header starting `{"`), or a credential after an auth scheme. */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const SCHEME_CREDENTIAL = /\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{6,}/gi;

/**
 * Text from an Airflow answer made safe to show: every secret the client holds, anything that looks like a bearer
 * token or JWT and the userinfo of URLs replaced by `***`, control characters and line breaks turned into spaces.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  return scrub(text, secrets)
    .replace(JWT, '***')
    .replace(SCHEME_CREDENTIAL, '$1 ***')
    .replace(/\p{Cc}+/gu, ' ');
}

/**
 * The short reason of an Airflow error answer: its JSON `detail` (Airflow 3, FastAPI: a text or a list of
 * validation errors, of which only `loc` and `msg` are kept) or `title` (Airflow 2), redacted and truncated. A body
 * that is not such JSON (an HTML page of a proxy, a server reflecting the request) gives no reason at all.
 */
export function errorReason(body: string, secrets: readonly (string | undefined)[]): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const json = parsed && typeof parsed === 'object' ? (parsed as { detail?: unknown; title?: unknown }) : {};
  const reason = describe(json.detail) ?? describe(json.title);
  if (!reason) return undefined;
  const clean = redact(reason, secrets).trim();
  return clean.length > MAX_REASON ? `${clean.slice(0, MAX_REASON)}…` : clean;
}

function describe(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  if (!Array.isArray(value)) return undefined;
  const items = value.flatMap((item: { loc?: unknown; msg?: unknown }) => {
    if (!item || typeof item.msg !== 'string') return [];
    const where = Array.isArray(item.loc) ? item.loc.filter((p) => typeof p === 'string' || typeof p === 'number').join('.') : '';
    return [where ? `${where}: ${item.msg}` : item.msg];
  });
  return items.length ? items.join('; ') : undefined;
}
