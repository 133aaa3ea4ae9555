import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Finding } from '../analysis/findings';
import { mergeRequirements, type RequirementConflict } from './requirements';
import { resolveInside } from './safePath';
import { scanDag } from './scan';
import { readState, writeState, type InstalledEntry } from './state';
import type { ConnectionRequirement, MarketEntry, VariableRequirement } from './types';

export class InstallError extends Error {}

export interface InstallTarget {
  /** Root of the repository the DAG goes into (requirements.txt and the state file live here). */
  repoRoot: string;
  /** Folder for the DAG, relative to repoRoot; `dags` by default. */
  folder?: string;
  /** Install even when the scan reports errors. */
  force?: boolean;
}

export interface InstallResult {
  id: string;
  version: string;
  files: string[];
  findings: Finding[];
  requirements: { file: string; added: string[]; conflicts: RequirementConflict[] };
  checklist: { connections: ConnectionRequirement[]; variables: VariableRequirement[] };
  updated: boolean;
  durationMs: number;
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Target folder inside the repository; refuses a folder that leaves it. */
function targetFolder(repoRoot: string, folder: string): string {
  if (path.isAbsolute(folder)) throw new InstallError(`--path "${folder}" must be relative to the repository`);
  const root = realpathSync(repoRoot);
  const target = path.resolve(root, folder);
  const inside = path.relative(root, target);
  if (inside.startsWith('..') || path.isAbsolute(inside)) throw new InstallError(`--path "${folder}" leaves the repository`);
  mkdirSync(target, { recursive: true });
  const real = path.relative(root, realpathSync(target));
  if (real.startsWith('..') || path.isAbsolute(real)) throw new InstallError(`--path "${folder}" resolves outside the repository`);
  return target;
}

/** Where an extra file lands: next to the DAG, keeping its path relative to the DAG's folder when below it. */
function extraDestination(entry: MarketEntry, extra: string): string {
  const fromDag = path.posix.relative(path.posix.dirname(entry.sourcePath), extra);
  return fromDag.startsWith('..') ? path.posix.basename(extra) : fromDag;
}

/**
 * Installs a catalog entry into a repository: verifies the sha256, scans the DAG (parsed only; nothing from a
 * catalog is ever executed), copies it and its declared extra files, merges providers into requirements.txt and
 * records the installed version. Reinstalling an installed entry is an update.
 */
export async function installEntry(entry: MarketEntry, catalogRoot: string, target: InstallTarget): Promise<InstallResult> {
  const startedAt = performance.now();
  const source = readFileSync(resolveInside(catalogRoot, entry.sourcePath));
  const actual = sha256(source);
  if (entry.sha256 && entry.sha256 !== actual) {
    throw new InstallError(
      `refusing to install ${entry.id}: ${entry.sourcePath} has sha256 ${actual}, the index says ${entry.sha256}. ` +
        'The file changed after the index was written; ask the catalog maintainer to run "hangar market index --write".',
    );
  }
  const { findings } = await scanDag(source.toString('utf8'), entry.sourcePath);
  if (!target.force && findings.some((f) => f.severity === 'error')) {
    const first = findings.find((f) => f.severity === 'error')!;
    throw new InstallError(`refusing to install ${entry.id}: the scan found errors (${first.ruleId} line ${first.range.start.line + 1}: ${first.message}); use --force to install anyway`);
  }

  const state = readState(target.repoRoot);
  const previous = state.installed[entry.id];
  const ours = new Set(previous?.files.map((f) => f.path));
  const folder = targetFolder(target.repoRoot, target.folder ?? 'dags');
  const writes: { path: string; data: Buffer }[] = [{ path: path.join(folder, path.posix.basename(entry.sourcePath)), data: source }];
  for (const extra of entry.extraFiles) {
    writes.push({ path: path.join(folder, extraDestination(entry, extra)), data: readFileSync(resolveInside(catalogRoot, extra)) });
  }
  const relative = (file: string): string => path.relative(target.repoRoot, file).split(path.sep).join('/');
  for (const write of writes) {
    if (existsSync(write.path) && !ours.has(relative(write.path))) {
      throw new InstallError(`refusing to overwrite ${relative(write.path)}: it exists and was not installed from the marketplace`);
    }
  }
  for (const write of writes) {
    mkdirSync(path.dirname(write.path), { recursive: true });
    // A symlinked subfolder must not carry a catalog file out of the repository.
    const parent = path.relative(realpathSync(target.repoRoot), realpathSync(path.dirname(write.path)));
    if (parent.startsWith('..') || path.isAbsolute(parent)) throw new InstallError(`refusing to write ${relative(write.path)}: its folder resolves outside the repository`);
  }
  for (const write of writes) writeFileAtomic.sync(write.path, write.data);

  const requirementsFile = path.join(target.repoRoot, 'requirements.txt');
  const merged = mergeRequirements(existsSync(requirementsFile) ? readFileSync(requirementsFile, 'utf8') : '', entry.providers);
  if (merged.changed) writeFileAtomic.sync(requirementsFile, merged.text);

  const record: InstalledEntry = {
    id: entry.id,
    version: entry.version,
    sha256: actual,
    files: writes.map((w) => ({ path: relative(w.path), sha256: sha256(w.data) })),
    installedAt: new Date().toISOString(),
  };
  // Files of the previous version that the new one no longer ships.
  for (const old of previous?.files ?? []) {
    if (!record.files.some((f) => f.path === old.path)) rmSync(path.join(target.repoRoot, old.path), { force: true });
  }
  state.installed[entry.id] = record;
  writeState(target.repoRoot, state);
  return {
    id: entry.id,
    version: entry.version,
    files: record.files.map((f) => f.path),
    findings,
    requirements: { file: 'requirements.txt', added: merged.added, conflicts: merged.conflicts },
    checklist: { connections: entry.connections, variables: entry.variables },
    updated: previous !== undefined,
    durationMs: performance.now() - startedAt,
  };
}

/** Removes the files an install wrote, unless they were edited since (then `force` is needed). requirements.txt is left alone: other DAGs may need the providers. */
export function uninstallEntry(id: string, repoRoot: string, force = false): string[] {
  const state = readState(repoRoot);
  const record = state.installed[id];
  if (!record) throw new InstallError(`${id} is not installed in ${repoRoot}`);
  for (const file of record.files) {
    const full = path.join(repoRoot, file.path);
    if (!force && existsSync(full) && sha256(readFileSync(full)) !== file.sha256) {
      throw new InstallError(`${file.path} was edited after it was installed; use --force to remove it anyway`);
    }
  }
  for (const file of record.files) rmSync(path.join(repoRoot, file.path), { force: true });
  delete state.installed[id];
  writeState(repoRoot, state);
  return record.files.map((f) => f.path);
}

/** Whether the catalog now has another version, or other content, than what was installed. */
export function hasUpdate(record: InstalledEntry, entry: MarketEntry): boolean {
  return entry.version !== record.version || (entry.sha256 !== undefined && entry.sha256 !== record.sha256);
}

/** Installed entries whose catalog now has a different version or content. */
export function updatesAvailable(repoRoot: string, lookup: (id: string) => MarketEntry | undefined): { id: string; installed: string; available: string }[] {
  return Object.values(readState(repoRoot).installed).flatMap((record) => {
    const entry = lookup(record.id);
    if (!entry) return [];
    return hasUpdate(record, entry) ? [{ id: record.id, installed: record.version, available: entry.version }] : [];
  });
}
