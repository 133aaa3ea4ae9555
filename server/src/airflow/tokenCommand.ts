import { execFile } from 'node:child_process';
import type { TokenCommand } from '../deploy/types';
import { withoutSecrets } from '../secretVariables';
import { AirflowError } from './errors';
import { redact } from './redact';

/** Tokens by command line, reused until they expire (the kubectl exec-credential pattern). */
const cache = new Map<string, { readonly token: string; readonly expiresAt: number }>();

const DEFAULT_TTL_MS = 5 * 60_000;
/** A token this close to its `exp` is not used any more: a deploy's requests must not outlive it. */
const EXPIRY_MARGIN_MS = 30_000;
const TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 64 * 1024;
/** What a bearer token may hold (RFC 6750 b64token, plus the `.` of JWTs). */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The bearer token `command` prints, run without a shell and without Hangar's secret variables, cached until the
 * JWT's `exp` (or `ttlMs` for a token that is not a JWT). A failing command is an error that names the program
 * and its exit, never its standard output; of its standard error only the last line, redacted.
 */
export async function commandToken(command: TokenCommand, now = Date.now()): Promise<string> {
  const key = JSON.stringify(command.argv);
  const cached = cache.get(key);
  if (cached && cached.expiresAt > now) return cached.token;
  const token = await runCommand(command.argv);
  cache.set(key, { token, expiresAt: expiryOf(token, now, command.ttlMs ?? DEFAULT_TTL_MS) });
  return token;
}

/** Forgets the token of `command` (Airflow rejected it): the next request runs the command again. */
export function forgetCommandToken(command: TokenCommand): void {
  cache.delete(JSON.stringify(command.argv));
}

/** When a token stops being reused: the JWT's `exp` less a margin, else `now + ttl`. */
export function expiryOf(token: string, now: number, ttlMs: number): number {
  const exp = jwtExpiry(token);
  return exp === undefined ? now + ttlMs : exp * 1000 - EXPIRY_MARGIN_MS;
}

function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

function runCommand(argv: readonly string[]): Promise<string> {
  const [program, ...args] = argv;
  const name = `The Airflow token command "${program}"`;
  return new Promise((resolve, reject) => {
    execFile(program!, args, { shell: false, timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, env: withoutSecrets(process.env), windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT'
            ? 'was not found: check airflow.command (the program is run without a shell, from the PATH or by its path)'
            : error.killed
              ? `did not finish within ${TIMEOUT_MS / 1000} s`
              : code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER'
                ? `printed more than ${MAX_OUTPUT / 1024} KiB`
                : `exited with ${typeof code === 'number' ? `code ${code}` : String(code ?? error.signal)}`;
        reject(new AirflowError(`${name} ${why}${lastLine(stderr)}. Run it yourself to see its full output.`, 'credentials'));
        return;
      }
      const token = stdout.trim();
      if (!token) reject(new AirflowError(`${name} printed no token: its standard output must be the bearer token alone.`, 'credentials'));
      else if (!TOKEN.test(token)) reject(new AirflowError(`${name} printed something other than a bearer token (one line, no spaces): print the token alone, for example with --query or jq -r.`, 'credentials'));
      else resolve(token);
    });
  });
}

/** The last line of the command's standard error, redacted and short, after a colon; '' when there is none. */
function lastLine(stderr: string): string {
  const line = stderr.trim().split('\n').at(-1)?.trim() ?? '';
  const clean = redact(line, []).slice(0, 160);
  return clean ? `: ${clean}` : '';
}
