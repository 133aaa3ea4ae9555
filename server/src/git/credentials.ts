import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuthKind } from '../config/types';

/** Secrets for one repository; they reach git only through environment variables read by the askpass helper. */
export interface GitCredentials {
  readonly username?: string;
  /** A token or a password. */
  readonly password?: string;
  /** Passphrase of the SSH key. */
  readonly passphrase?: string;
}

export interface GitAccess {
  readonly auth: AuthKind;
  readonly username?: string;
  readonly sshKey?: string;
  readonly credentials?: GitCredentials;
}

/**
 * The helper git (GIT_ASKPASS) and ssh (SSH_ASKPASS) run when they need a user name, password or passphrase.
 * It holds no secret: it prints one of the variables set only in the environment of that git process.
 */
const ASKPASS_SCRIPT = `#!/bin/sh
case "$1" in
  *yes/no*) exit 1 ;;
  [Uu]sername*) printf '%s\\n' "$HANGAR_ASKPASS_USERNAME" ;;
  *assphrase*) printf '%s\\n' "$HANGAR_ASKPASS_PASSPHRASE" ;;
  *) printf '%s\\n' "$HANGAR_ASKPASS_PASSWORD" ;;
esac
`;

let askpassPath: string | undefined;

function askpassHelper(): string {
  if (!askpassPath) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-askpass-'));
    askpassPath = path.join(dir, 'askpass.sh');
    writeFileSync(askpassPath, ASKPASS_SCRIPT, { mode: 0o700 });
    chmodSync(askpassPath, 0o700);
  }
  return askpassPath;
}

/**
 * Variables of the caller's environment that must not reach Hangar's git: its own config and askpass
 * variables, and the editor, pager, exec-path and proxy hooks that simple-git refuses to run with (npm sets
 * EDITOR for scripts, for example). None of them is needed for fetching.
 */
const INHERITED_BUT_IGNORED =
  /^(GIT_CONFIG(_.*)?|HANGAR_ASKPASS_.*|EDITOR|VISUAL|PAGER|PREFIX|GIT_(EDITOR|SEQUENCE_EDITOR|PAGER|EXTERNAL_DIFF|PROXY_COMMAND|TEMPLATE_DIR|EXEC_PATH|SSH|SSH_COMMAND|ASKPASS)|SSH_ASKPASS)$/i;

const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Environment for a git process: no prompts, no credential helper (nothing stored by git), secrets only in
 * variables the askpass helper reads.
 */
export function gitEnvironment(access: GitAccess, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !INHERITED_BUT_IGNORED.test(key)) env[key] = value;
  }
  const helper = askpassHelper();
  const credentials = access.credentials ?? {};
  const username = credentials.username ?? access.username ?? (access.auth === 'token' ? 'x-access-token' : '');
  Object.assign(env, {
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: helper,
    SSH_ASKPASS: helper,
    SSH_ASKPASS_REQUIRE: 'force',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'credential.helper',
    GIT_CONFIG_VALUE_0: '',
    LC_ALL: 'C', // git's English messages are what classifyGitFailure reads
    HANGAR_ASKPASS_USERNAME: username,
    HANGAR_ASKPASS_PASSWORD: credentials.password ?? '',
    HANGAR_ASKPASS_PASSPHRASE: credentials.passphrase ?? '',
  });
  if (access.auth === 'ssh' && access.sshKey) {
    env.GIT_SSH_COMMAND = `ssh -i ${shellQuote(access.sshKey)} -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new`;
  }
  return env;
}

/** The values to scrub from anything git prints. */
export function secretsOf(access: GitAccess): string[] {
  const c = access.credentials ?? {};
  return [c.password, c.passphrase].filter((s): s is string => !!s);
}
