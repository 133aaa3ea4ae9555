/**
 * Known credential formats. Each pattern is anchored (sticky) and has bounded repetitions over character
 * classes, so matching is linear. Sources: secretlint's recommended preset (AWS, GitHub, Slack, private key),
 * detect-secrets plugins (GitLab, JWT, Stripe) and the vendors' own token-format documentation.
 */
export interface SecretFormat {
  readonly id: string;
  /** What the user is told was found. */
  readonly title: string;
  readonly pattern: RegExp;
}

export const SECRET_FORMATS: readonly SecretFormat[] = [
  { id: 'aws-access-key-id', title: 'AWS access key id', pattern: /(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/y },
  { id: 'github-token', title: 'GitHub token', pattern: /gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9])/y },
  { id: 'github-fine-grained-token', title: 'GitHub fine-grained personal access token', pattern: /github_pat_[A-Za-z0-9_]{82}(?![A-Za-z0-9_])/y },
  { id: 'gitlab-token', title: 'GitLab personal access token', pattern: /glpat-[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])/y },
  { id: 'slack-token', title: 'Slack token', pattern: /xox[abprs]-[0-9A-Za-z-]{10,250}/y },
  { id: 'slack-webhook', title: 'Slack incoming-webhook URL', pattern: /hooks\.slack\.com\/services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{20,32}/y },
  { id: 'private-key', title: 'private key', pattern: /-----BEGIN (?:[A-Z0-9]{1,10} ){0,3}PRIVATE KEY(?: BLOCK)?-----/y },
  { id: 'jwt', title: 'JSON Web Token', pattern: /eyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,4000}\.[A-Za-z0-9_-]{16,1000}/y },
  { id: 'google-api-key', title: 'Google API key', pattern: /AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/y },
  { id: 'stripe-secret-key', title: 'Stripe live secret key', pattern: /[rs]k_live_[0-9A-Za-z]{24,99}(?![0-9A-Za-z])/y },
];

/** Case-insensitive alternation of the formats' fixed prefixes; used to find where to try the patterns. */
export const SECRET_FORMAT_PREFIXES = 'AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|hooks\\.slack\\.com/services/|-----BEGIN |eyJ|AIza|[rs]k_live_';

export interface FormatMatch {
  readonly format: SecretFormat;
  readonly start: number;
  readonly end: number;
}

/** AWS documents its example keys with this suffix (`AKIAIOSFODNN7EXAMPLE`); secretlint skips them too. */
const DOCUMENTED_EXAMPLE = /EXAMPLE$/;

/** The known format that starts exactly at `index` in `text`, if any. */
export function matchSecretFormatAt(text: string, index: number): FormatMatch | undefined {
  for (const format of SECRET_FORMATS) {
    format.pattern.lastIndex = index;
    const match = format.pattern.exec(text);
    if (match && !DOCUMENTED_EXAMPLE.test(match[0])) return { format, start: index, end: index + match[0].length };
  }
  return undefined;
}

const PREFIX_SEARCH = new RegExp(SECRET_FORMAT_PREFIXES, 'g');

/** The first known format anywhere in `text` (a literal's value). */
export function findSecretFormat(text: string): FormatMatch | undefined {
  PREFIX_SEARCH.lastIndex = 0;
  for (let m = PREFIX_SEARCH.exec(text); m; m = PREFIX_SEARCH.exec(text)) {
    const found = matchSecretFormatAt(text, m.index);
    if (found) return found;
  }
  return undefined;
}
