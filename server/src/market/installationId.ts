import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/**
 * An installation id: a random UUID a client makes once and keeps, so the marketplace service counts an install
 * once per installation and entry version. It says nothing about the user or the machine.
 */
export const INSTALLATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isInstallationId = (value: unknown): value is string => typeof value === 'string' && INSTALLATION_ID.test(value);

export const newInstallationId = (): string => randomUUID();

/** Where the CLI keeps its installation id: `$XDG_CONFIG_HOME/hangar/installation-id` (default `~/.config`). */
export function cliInstallationIdFile(): string {
  return path.join(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'hangar', 'installation-id');
}

/** The CLI's installation id, made on first use; when it cannot be stored, this run uses a new one. */
export function cliInstallationId(file = cliInstallationIdFile()): string {
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (isInstallationId(stored)) return stored;
  } catch {
    // not made yet
  }
  const id = newInstallationId();
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic.sync(file, `${id}\n`);
  } catch {
    // a read-only home: the install is counted, just not recognised next time
  }
  return id;
}
