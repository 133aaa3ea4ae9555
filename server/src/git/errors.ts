/** A git command failed; the message is safe to show (credentials scrubbed). */
export class GitError extends Error {
  override name = 'GitError';
}

/** The remote refused the credentials (or none were given where some are needed). */
export class InvalidCredentials extends GitError {
  override name = 'InvalidCredentials';
  readonly kind = 'invalid-credentials';
}

/** Stored credentials exist but were entered for another remote: Hangar sent nothing. */
export class CredentialsNotForRemote extends InvalidCredentials {
  override name = 'CredentialsNotForRemote';
}

/** A clone Hangar would change holds work Hangar did not create (local edits, untracked files, a foreign repository). */
export class WorkWouldBeLost extends GitError {
  override name = 'WorkWouldBeLost';
}

/** The operation was cancelled through its AbortSignal. */
export class OperationCancelled extends Error {
  override name = 'OperationCancelled';
  constructor() {
    super('Cancelled.');
  }
}

const AUTH_FAILURE =
  /Authentication failed|could not read (Username|Password)|terminal prompts disabled|HTTP Basic: Access denied|Invalid username or password|Permission denied \((publickey|password)|requested URL returned error: 40[13]|Bad passphrase|incorrect passphrase|invalid credentials/i;

/** Removes every secret and any `user:password@` of a URL from text that may reach a user or a log. */
export function scrub(text: string, secrets: readonly (string | undefined)[] = []): string {
  let clean = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
  for (const secret of secrets) if (secret) clean = clean.split(secret).join('***');
  return clean;
}

/** Maps git's stderr to a typed error with a message that says what to do. */
export function classifyGitFailure(stderr: string, url: string, secrets: readonly (string | undefined)[]): GitError {
  const detail = scrub(stderr.trim().split('\n').filter((l) => !/^\s*$/.test(l)).slice(-3).join(' '), secrets);
  const where = scrub(url);
  if (AUTH_FAILURE.test(stderr)) {
    return new InvalidCredentials(`Invalid credentials for ${where}: the server refused them. Update the credentials and retry. (${detail})`);
  }
  if (/not found|does not appear to be a git repository|repository .* not exist/i.test(stderr)) {
    return new GitError(`${where} is not a Git repository Hangar can read: check the URL. (${detail})`);
  }
  if (/couldn't find remote ref|not our ref|unadvertised object/i.test(stderr)) {
    return new GitError(`The branch, tag or commit is not on ${where}: check the configured ref. (${detail})`);
  }
  return new GitError(`Git failed for ${where}: ${detail || 'no details from git'}`);
}
