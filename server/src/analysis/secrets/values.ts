/**
 * Decides whether a literal assigned to a secret-looking name is a credential. Deliberately NOT credentials:
 * Jinja templates (`{{ conn.x.password }}`, `{{ var.value.x }}`), format placeholders (`{password}`, `%s`,
 * `${DB_PASS}`), values that cannot be real (`<your token>`, `xxxx`, `****`, `your-api-key`, `dummy`,
 * `example`, `placeholder`, `redacted`), file paths, environment-variable names (`DB_PASSWORD`), labels of three
 * or more words, and values shorter than four characters. Weak defaults such as `changeme` or `admin` ARE reported: the DAG
 * would send them to a real system.
 */
const TEMPLATE_OR_FORMAT = /\{\{|\{%|\$\{|\{[A-Za-z_0-9]*\}|%\(?[A-Za-z_]*\)?s/;
const ANGLE_PLACEHOLDER = /^<[^<>]*>$/;
const REPEATED = /^(.)\1*$/;
const PLACEHOLDER_WORDS = /^(?:your|my|example|sample|dummy|fake|placeholder|redacted|replace|insert|enter|todo|tbd|none|null|undefined|true|false|xxx+)(?:\b|_|-|$)/i;
const MASKED = /^[*x.•-]{3,}$/i;
const PATH = /^(?:\/|~\/|\.\.?\/|[A-Za-z]:\\)/;
const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
/** Three or more words: a label or help text (`"Access Token (optional)"`), not a credential. */
const PROSE = /\S\s+\S+\s+\S/;
const FILE_NAME = /^[\w.-]+\.(?:pem|key|json|p12|pfx|crt|txt|ya?ml|cfg|ini|env)$/i;

export const MIN_SECRET_LENGTH = 4;

export function isTemplatedOrFormatted(value: string): boolean {
  return TEMPLATE_OR_FORMAT.test(value);
}

export function isPlaceholder(value: string): boolean {
  return ANGLE_PLACEHOLDER.test(value) || REPEATED.test(value) || MASKED.test(value) || PLACEHOLDER_WORDS.test(value);
}

/** True when `value`, written as a literal for a secret-looking name, is a hard-coded credential. */
export function isCredentialValue(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed.length < MIN_SECRET_LENGTH) return false;
  return !(isTemplatedOrFormatted(trimmed) || isPlaceholder(trimmed) || PATH.test(trimmed) || ENV_NAME.test(trimmed) || FILE_NAME.test(trimmed) || PROSE.test(trimmed));
}
