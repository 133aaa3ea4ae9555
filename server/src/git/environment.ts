import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { isSecretVariable } from '../secretVariables';
import { askpassHelper } from './askpass';
import { bindingAllows, describeBinding, type GitAccess, type GitCredentials } from './credentials';
import { CredentialsNotForRemote } from './errors';
import { ALLOWED_PROTOCOLS, remoteOrigin } from './remote';

const execFileAsync = promisify(execFile);

/**
 * Variables of the caller's environment that must not reach Hangar's git (besides Hangar's own secret
 * variables, see secretVariables.ts): its own config, askpass and protocol variables, variables that point git
 * at another repository, and the editor, pager, exec-path and proxy hooks that simple-git refuses to run with
 * (npm sets EDITOR for scripts, for example).
 */
const INHERITED_BUT_IGNORED =
  /^(GIT_CONFIG(_.*)?|HANGAR_ASKPASS_.*|EDITOR|VISUAL|PAGER|PREFIX|SSH_ASKPASS(_REQUIRE)?|GIT_(EDITOR|SEQUENCE_EDITOR|PAGER|EXTERNAL_DIFF|PROXY_COMMAND|TEMPLATE_DIR|EXEC_PATH|SSH|SSH_COMMAND|ASKPASS|ALLOW_PROTOCOL|PROTOCOL_FROM_USER|DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|NAMESPACE|COMMON_DIR))$/i;

/**
 * Configuration every git process runs with. Command-line level configuration (GIT_CONFIG_COUNT) wins over a
 * repository's own `.git/config`, so nothing a clone's configuration names runs: no hooks (`.git/hooks` or
 * core.hooksPath), no fsmonitor, no pager, no ssh command, no credential helper, no alternate-refs command,
 * no transport outside ALLOWED_PROTOCOLS (GIT_ALLOW_PROTOCOL below overrides every protocol.*.allow), no cookie
 * file written. Filters are neutralised per repository where they would run (`repositoryFilterOverrides`).
 */
const HARDENING: ReadonlyArray<readonly [string, string]> = [
  ['core.hooksPath', '/dev/null'],
  ['core.fsmonitor', 'false'],
  ['core.pager', 'cat'],
  ['core.sshCommand', 'ssh'],
  ['core.alternateRefsCommand', ''],
  ['credential.helper', ''],
  ['protocol.allow', 'never'],
  ['http.cookieFile', ''],
  ['http.saveCookies', 'false'],
];

export interface GitEnvironmentOptions {
  readonly access?: GitAccess;
  /** The remote this git process talks to; without one it gets no secret. */
  readonly remote?: string;
  /** More command-line configuration (filter drivers to neutralise). */
  readonly config?: ReadonlyArray<readonly [string, string]>;
}

/**
 * The one place that builds the environment of a git process Hangar starts (simple-git and raw spawns alike):
 * hardened configuration, no prompts, and the secret only when `access.auth` is not `none` and the secret is
 * bound to `remote` — otherwise none at all. A secret bound to another remote is refused before git starts.
 */
export function gitEnvironment(options: GitEnvironmentOptions = {}, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !INHERITED_BUT_IGNORED.test(key) && !isSecretVariable(key)) env[key] = value;
  }
  const { access, remote } = options;
  const credentials = remote && access && access.auth !== 'none' ? checkedCredentials(access.credentials, remote) : undefined;
  const config = [...HARDENING, ...(options.config ?? [])];
  const helper = askpassHelper();
  Object.assign(env, {
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: helper,
    SSH_ASKPASS: helper,
    SSH_ASKPASS_REQUIRE: 'force',
    GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS.join(':'),
    GIT_CONFIG_COUNT: String(config.length),
    LC_ALL: 'C', // git's English messages are what classifyGitFailure reads
  });
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  if (credentials && remote) {
    Object.assign(env, {
      HANGAR_ASKPASS_ORIGIN: remoteOrigin(remote),
      HANGAR_ASKPASS_USERNAME: credentials.username ?? access?.username ?? (access?.auth === 'token' ? 'x-access-token' : ''),
      HANGAR_ASKPASS_PASSWORD: credentials.password ?? '',
      HANGAR_ASKPASS_PASSPHRASE: credentials.passphrase ?? '',
    });
  }
  if (access && access.auth === 'ssh' && access.sshKey) {
    env.GIT_SSH_COMMAND = `ssh -i ${shellQuote(access.sshKey)} -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new`;
  }
  return env;
}

function checkedCredentials(credentials: GitCredentials | undefined, remote: string): GitCredentials | undefined {
  if (!credentials) return undefined;
  if (!bindingAllows(credentials.boundTo, remote)) {
    throw new CredentialsNotForRemote(
      `Hangar did not send the stored credentials to ${remoteOrigin(remote)}: they were entered for ${describeBinding(credentials.boundTo)}. ` +
        'If this remote is right, enter credentials for it (Hangar: Update Credentials in the editor; the HANGAR_* variables for the CLI).',
    );
  }
  return credentials;
}

/**
 * `git fetch URL`, `ls-remote URL` and `push URL` take the program they start for file:// and ssh remotes from
 * `remote.<URL>.uploadpack` / `.receivepack` of the repository's configuration — and git uses the FIRST such
 * value, so configuration cannot override it. An explicit option can: every fetch, ls-remote and push Hangar
 * runs passes these, before `--` (a constant, never a value from the configuration).
 */
export const PINNED_UPLOAD_PACK = '--upload-pack=git-upload-pack';
export const PINNED_RECEIVE_PACK = '--receive-pack=git-receive-pack';

/**
 * Filter drivers (smudge, clean, process) that the repository's own configuration defines run when files are
 * checked out, archived or compared with the index. Each is emptied (and made optional) for the git processes
 * that would run it; drivers of the user's global or system configuration (git-lfs) are the user's and kept.
 * Reading the configuration runs nothing.
 */
export async function repositoryFilterOverrides(dir: string): Promise<Array<readonly [string, string]>> {
  const out = await execFileAsync('git', ['config', '--show-scope', '--includes', '--name-only', '--get-regexp', '^filter\\.'], { cwd: dir, env: gitEnvironment() }).then(
    (r) => r.stdout,
    () => '',
  );
  const drivers = new Set<string>();
  for (const line of out.split('\n')) {
    const [scope, key] = line.split('\t');
    const driver = key && /^filter\.(.+)\.[^.]+$/s.exec(key)?.[1];
    if (driver && (scope === 'local' || scope === 'worktree')) drivers.add(driver);
  }
  return [...drivers].flatMap((d) => [
    [`filter.${d}.smudge`, ''],
    [`filter.${d}.clean`, ''],
    [`filter.${d}.process`, ''],
    [`filter.${d}.required`, 'false'],
  ] as const);
}

/** What simple-git must let through: every variable above is set by Hangar, to safe values. */
export const SIMPLE_GIT_UNSAFE = {
  allowUnsafeAskPass: true,
  allowUnsafeConfigEnvCount: true,
  allowUnsafeCredentialHelper: true,
  allowUnsafeSshCommand: true,
  allowUnsafeHooksPath: true,
  allowUnsafeFsMonitor: true,
  allowUnsafePager: true,
  allowUnsafeProtocolOverride: true,
  allowUnsafePack: true,
  allowUnsafeFilter: true,
} as const;

const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
