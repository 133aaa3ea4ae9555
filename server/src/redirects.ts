/**
 * Hangar sends a credential only to the address it was configured with. A redirect is an answer, never followed:
 * fetch would re-send a 307/308 body (a password) and keep custom headers (GitLab's `private-token`) on the way
 * to wherever the answer points.
 */
export const NO_REDIRECTS = { redirect: 'manual' } as const satisfies RequestInit;

/** The origin a redirect answer points at (`another address` when it names none), or undefined for any other answer. */
export function redirectOrigin(response: Response, url: string): string | undefined {
  if (response.type !== 'opaqueredirect' && (response.status < 300 || response.status >= 400)) return undefined;
  const location = response.headers.get('location');
  return location && URL.canParse(location, url) ? new URL(location, url).origin : 'another address';
}
