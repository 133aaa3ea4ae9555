/** Last words of a name that hold a credential (`db_password`, `slackToken`, `CLIENT_SECRET`). */
const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'secret', 'token', 'credential', 'credentials', 'creds', 'apikey', 'authorization']);
/** `key` alone is usually an S3 or dict key; it is a credential after one of these words (`api_key`, `secret_access_key`). */
const KEY_QUALIFIERS = new Set(['api', 'access', 'private', 'secret', 'signing', 'encryption', 'master', 'client', 'auth', 'account']);

/** `token` also means a lexer, pagination or tokenizer token: `next_token`, `pad_token`, `upgrade_token`. */
const NON_CREDENTIAL_TOKENS = new Set(['next', 'page', 'pagination', 'continuation', 'cursor', 'sync', 'default', 'pad', 'eos', 'bos', 'unk', 'sep', 'cls', 'mask', 'special', 'start', 'end', 'split', 'upgrade', 'downgrade', 'cancel', 'cancellation', 'resume', 'unicode', 'placeholder']);

const WORD_BOUNDARY = /[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/;

/** True when a variable, keyword argument or dict key named `name` holds a credential. */
export function isSecretName(name: string): boolean {
  const words = name.split(WORD_BOUNDARY).filter(Boolean);
  const last = words.at(-1)?.toLowerCase();
  if (last === undefined) return false;
  const before = words.at(-2)?.toLowerCase();
  if (last === 'token' && before !== undefined && NON_CREDENTIAL_TOKENS.has(before)) return false;
  if (SECRET_WORDS.has(last)) return true;
  return last === 'key' && before !== undefined && KEY_QUALIFIERS.has(before);
}

const NOT_ALPHANUMERIC = /[^a-z0-9]/g;
const IDENTIFIER = /^[A-Za-z_][\w-]*$/;

/**
 * True when a value only repeats its own name (`apiKey = "apiKey"`, `RESOURCE_PASSWORD = "Passwords"`,
 * `COOKIE_TOKEN = "_token"`) or is another credential name (`password="passwd"`): a label or a field name.
 */
export function repeatsName(name: string, value: string): boolean {
  // A value that is itself a credential's name maps one field to another (`password="passwd"`).
  if (IDENTIFIER.test(value) && isSecretName(value)) return true;
  const plain = value.toLowerCase().replace(NOT_ALPHANUMERIC, '');
  if (plain === '' || plain === name.toLowerCase().replace(NOT_ALPHANUMERIC, '')) return true;
  const last = name.split(WORD_BOUNDARY).filter(Boolean).at(-1)?.toLowerCase();
  return last !== undefined && (plain === last || plain === `${last}s`);
}
