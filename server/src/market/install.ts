import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Finding } from '../analysis/findings';
import { OversizedFileError, readCatalogFile } from './catalogFile';
import { conditionOf, InstallError, inRepository, recordedFiles, removeUnchanged, sha256, type KeptFile, type RecordedFile } from './installedFiles';
import { mergeRequirements, type RequirementConflict } from './requirements';
import { UnsafePathError, type ContainedPath } from './safePath';
import { scanDag } from './scan';
import { readState, writeState, type InstalledEntry } from './state';
import type { ConnectionRequirement, MarketEntry, VariableRequirement } from './types';

export interface InstallTarget {
  /** Root of the repository the DAG goes into (requirements.txt and the state file live here). */
  repoRoot: string;
  /** Folder for the DAG, relative to repoRoot; by default where the entry is installed, else `dags`. */
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
  /** Files of the previous version that this one no longer ships: removed, or kept because they were edited. */
  removed: string[];
  kept: KeptFile[];
  durationMs: number;
}

export interface UninstallResult {
  removed: string[];
  kept: KeptFile[];
}

/** A file of the entry, read from the catalog (contained, within the size limit), or an InstallError saying why not. */
function catalogBytes(entry: MarketEntry, catalogRoot: string, file: string): Buffer {
  try {
    return readCatalogFile(catalogRoot, file);
  } catch (error) {
    if (error instanceof UnsafePathError || error instanceof OversizedFileError) throw new InstallError(`refusing to install ${entry.id}: ${error.message}`);
    throw error;
  }
}

/** Where an extra file lands: next to the DAG, keeping its path relative to the DAG's folder when below it. */
function extraDestination(entry: MarketEntry, extra: string): string {
  const fromDag = path.posix.relative(path.posix.dirname(entry.sourcePath), extra);
  return fromDag.startsWith('..') ? path.posix.basename(extra) : fromDag;
}

interface PlannedWrite {
  at: ContainedPath;
  data: Buffer;
}

/** Refuses to overwrite a file Hangar did not install, or one edited since: an update never loses the user's work. */
function checkOverwrites(writes: readonly PlannedWrite[], previous: readonly RecordedFile[]): void {
  for (const write of writes) {
    if (!existsSync(write.at.real)) continue;
    const ours = previous.find((file) => file.real === write.at.real);
    if (!ours) throw new InstallError(`refusing to overwrite ${write.at.relative}: it exists and was not installed from the marketplace`);
    const condition = conditionOf(ours);
    if (condition === 'not a file') throw new InstallError(`refusing to overwrite ${write.at.relative}: it is not a file`);
    if (condition === 'edited' && !hasContent(write.at.real, write.data)) {
      throw new InstallError(`${write.at.relative} was edited since it was installed; move your changes out of it (or delete it), then update again`);
    }
  }
}

/** Whether a file already holds `data` (an update interrupted after writing it, before recording it). */
function hasContent(file: string, data: Buffer): boolean {
  return statSync(file).size === data.length && readFileSync(file).equals(data);
}

/**
 * Installs a catalog entry into a repository: verifies the sha256, scans the DAG (parsed only; nothing from a
 * catalog is ever executed), copies it and its declared extra files, merges providers into requirements.txt and
 * records the installed version with each file's sha256. Reinstalling an installed entry is an update. Every path
 * (from the catalog, the state file or the caller) is resolved inside its root before anything is read or written,
 * and nothing is written until all of them are.
 */
export async function installEntry(entry: MarketEntry, catalogRoot: string, target: InstallTarget): Promise<InstallResult> {
  const startedAt = performance.now();
  const { repoRoot } = target;
  const source = catalogBytes(entry, catalogRoot, entry.sourcePath);
  const actual = sha256(source);
  if (entry.sha256 && entry.sha256 !== actual) {
    throw new InstallError(
      `refusing to install ${entry.id}: ${entry.sourcePath} has sha256 ${actual}, the index says ${entry.sha256}. ` +
        'The file changed after the index was written; ask the catalog maintainer to run "hangar market index --write".',
    );
  }
  const { findings } = await scanDag(source, entry.sourcePath);
  if (!target.force && findings.some((f) => f.severity === 'error')) {
    const first = findings.find((f) => f.severity === 'error')!;
    throw new InstallError(`refusing to install ${entry.id}: the scan found errors (${first.ruleId} line ${first.range.start.line + 1}: ${first.message}); use --force to install anyway`);
  }

  const state = readState(repoRoot);
  const previous = state.installed[entry.id];
  const previousFiles = previous ? recordedFiles(repoRoot, previous) : [];
  const folderText = target.folder ?? (previousFiles[0] ? path.posix.dirname(previousFiles[0].relative) : 'dags');
  const folder = inRepository(repoRoot, folderText, `refusing to install ${entry.id} into the folder`, { allowRoot: true });
  const destination = (relative: string): ContainedPath => inRepository(repoRoot, path.posix.join(folder.relative, relative), `refusing to install ${entry.id}`);
  const writes: PlannedWrite[] = [
    { at: destination(path.posix.basename(entry.sourcePath)), data: source },
    ...entry.extraFiles.map((extra) => ({ at: destination(extraDestination(entry, extra)), data: catalogBytes(entry, catalogRoot, extra) })),
  ];
  const requirementsFile = inRepository(repoRoot, 'requirements.txt', `refusing to install ${entry.id}`).real;
  if (existsSync(requirementsFile) && !statSync(requirementsFile).isFile()) throw new InstallError(`refusing to install ${entry.id}: requirements.txt is not a file`);
  const clash = writes.find((write, index) => writes.findIndex((other) => other.at.real === write.at.real) !== index);
  if (clash) throw new InstallError(`refusing to install ${entry.id}: two of its files would both be written to ${clash.at.relative}`);
  checkOverwrites(writes, previousFiles);

  for (const write of writes) {
    mkdirSync(path.dirname(write.at.real), { recursive: true });
    writeFileAtomic.sync(write.at.real, write.data);
  }
  const merged = mergeRequirements(existsSync(requirementsFile) ? readFileSync(requirementsFile, 'utf8') : '', entry.providers);
  if (merged.changed) writeFileAtomic.sync(requirementsFile, merged.text);

  const record: InstalledEntry = {
    id: entry.id,
    version: entry.version,
    sha256: actual,
    files: writes.map((w) => ({ path: w.at.relative, sha256: sha256(w.data) })),
    installedAt: new Date().toISOString(),
  };
  const written = new Set(writes.map((w) => w.at.real));
  const noLongerShipped = removeUnchanged(previousFiles.filter((file) => !written.has(file.real)));
  state.installed[entry.id] = record;
  writeState(repoRoot, state);
  return {
    id: entry.id,
    version: entry.version,
    files: record.files.map((f) => f.path),
    findings,
    requirements: { file: 'requirements.txt', added: merged.added, conflicts: merged.conflicts },
    checklist: { connections: entry.connections, variables: entry.variables },
    updated: previous !== undefined,
    ...noLongerShipped,
    durationMs: performance.now() - startedAt,
  };
}

/**
 * Removes the files an install wrote that still have the content it wrote; a file the user edited is kept and
 * reported. requirements.txt is left alone: other DAGs may need the providers.
 */
export function uninstallEntry(id: string, repoRoot: string): UninstallResult {
  const state = readState(repoRoot);
  const record = state.installed[id];
  if (!record) throw new InstallError(`${id} is not installed in ${repoRoot}`);
  const result = removeUnchanged(recordedFiles(repoRoot, record));
  delete state.installed[id];
  writeState(repoRoot, state);
  return result;
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
