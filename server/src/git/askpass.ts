import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The helper git (GIT_ASKPASS) and ssh (SSH_ASKPASS) run when they need a user name, password or passphrase.
 * It holds no secret: it prints variables set only in the environment of that one git process, and answers
 * git's "Username/Password for 'URL'" only when URL is on HANGAR_ASKPASS_ORIGIN — the remote the secret is
 * bound to. A redirect or an `insteadOf` rewrite to another host gets no answer. Host-key questions and ssh
 * password prompts get none either.
 */
const ASKPASS_SCRIPT = `#!/bin/sh
case "$1" in
  *assphrase*) [ -n "$HANGAR_ASKPASS_PASSPHRASE" ] || exit 1; printf '%s\\n' "$HANGAR_ASKPASS_PASSPHRASE"; exit 0 ;;
  "Username for '"*|"Password for '"*) ;;
  *) exit 1 ;;
esac
[ -n "$HANGAR_ASKPASS_ORIGIN" ] || exit 1
url=\${1#*\\'}
url=\${url%%\\'*}
scheme=\${url%%://*}
host=\${url#*://}
host=\${host%%/*}
host=\${host##*@}
origin=$(printf '%s://%s' "$scheme" "$host" | tr 'A-Z' 'a-z')
case "$origin" in
  https://*:443) origin=\${origin%:443} ;;
  http://*:80) origin=\${origin%:80} ;;
esac
[ "$origin" = "$HANGAR_ASKPASS_ORIGIN" ] || exit 1
case "$1" in
  Username*) printf '%s\\n' "$HANGAR_ASKPASS_USERNAME" ;;
  *) printf '%s\\n' "$HANGAR_ASKPASS_PASSWORD" ;;
esac
`;

let askpassPath: string | undefined;

/** Written once per process into a private temporary folder (mode 0700). */
export function askpassHelper(): string {
  if (!askpassPath) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-askpass-'));
    askpassPath = path.join(dir, 'askpass.sh');
    writeFileSync(askpassPath, ASKPASS_SCRIPT, { mode: 0o700 });
    chmodSync(askpassPath, 0o700);
  }
  return askpassPath;
}
