import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook authentication with Node's crypto primitives: HMAC-SHA256 and `timingSafeEqual` are what Octokit's
 * `verify` uses too (its package is ESM-only and cannot be required from this CommonJS bundle's tests).
 */
function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** GitHub's `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`. */
export function verifyGitHubSignature(secret: string, body: Buffer, signature: string | undefined): boolean {
  if (!signature?.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(signature.slice('sha256='.length), 'hex');
  return constantTimeEqual(expected, given);
}

/** A shared token: GitLab's `X-Gitlab-Token`, or the generic hook's bearer token. */
export function tokensEqual(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  return constantTimeEqual(Buffer.from(expected, 'utf8'), Buffer.from(given, 'utf8'));
}
