/**
 * A `git` put first on PATH that records how every git process was started — its arguments and the NAMES of its
 * environment variables, never their values — and then runs the real git in its place (`exec`: same process,
 * same stdio, same signals). What a `ps` listing or a process accounting log would show of Hangar's git.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './gitRepos';

export interface GitCall {
  readonly argv: readonly string[];
  /** Names of the exported environment variables git started with (values are not recorded). */
  readonly envNames: readonly string[];
}

export interface GitSpy {
  /** Every git process started since the spy was installed. */
  calls(): GitCall[];
  /** Puts PATH back and removes the spy. */
  remove(): void;
}

/** Installs the spy for this process and every child it starts with `process.env` (as Hangar's git environment does). */
export function installGitSpy(): GitSpy {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const dir = tempDir('git-spy');
  const records = path.join(dir, 'calls');
  const bin = path.join(dir, 'bin');
  mkdirSync(records);
  mkdirSync(bin);
  // bash's `compgen -e` lists exported names without their values; argv is NUL-separated, as the kernel keeps it.
  const script = `#!/bin/bash\nrecord=${JSON.stringify(records)}/$$.$RANDOM\nprintf '%s\\0' "$@" > "$record.argv"\ncompgen -e > "$record.env"\nexec ${JSON.stringify(realGit)} "$@"\n`;
  writeFileSync(path.join(bin, 'git'), script);
  chmodSync(path.join(bin, 'git'), 0o755);
  const originalPath = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${originalPath ?? ''}`;
  return {
    calls: () =>
      readdirSync(records)
        .filter((name) => name.endsWith('.argv'))
        .map((name) => {
          const base = path.join(records, name.slice(0, -'.argv'.length));
          return {
            argv: readFileSync(`${base}.argv`, 'utf8').split('\0').slice(0, -1),
            envNames: readFileSync(`${base}.env`, 'utf8').split('\n').filter(Boolean),
          };
        }),
    remove: () => {
      process.env.PATH = originalPath;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
