import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { exportTree } from './gitSource';
import type { FolderTarget, HistoryRecord, Manifest } from './types';

/** A release that was live this recently is kept, so a reader that resolved its link has time to finish. */
export const GC_GRACE_MS = 60_000;

/**
 * A DAGs folder fed by immutable releases and one symbolic link per namespace:
 *
 *   <dags>/.airflowignore          contains `/.hangar/` so Airflow never walks the releases twice
 *   <dags>/<namespace> -> .hangar/releases/<namespace>-<sha12>[-x<hash>]
 *   <dags>/.hangar/releases/<release>/       exported commit, never modified after the rename that creates it
 *   <dags>/.hangar/releases/<release>.json   its manifest, written before the directory appears
 *   <dags>/.hangar/history.json              every deploy, rollback and promotion
 */
export class FolderStore {
  readonly stateDir: string;
  readonly releasesDir: string;
  private readonly tmpDir: string;

  constructor(readonly target: FolderTarget) {
    this.stateDir = path.join(target.path, '.hangar');
    this.releasesDir = path.join(this.stateDir, 'releases');
    this.tmpDir = path.join(this.stateDir, 'tmp');
  }

  /** Fails, changing nothing, when the DAGs folder is not there (a missing mount must not become an empty folder). */
  async checkTarget(): Promise<void> {
    const info = await stat(this.target.path).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new Error(`The DAGs folder ${this.target.path} does not exist or is not a directory. Check the mount or the environment's target.path; Hangar does not create it.`);
    }
  }

  /** Called under the lock: leftovers of a killed deploy are removed, the ignore file is in place. */
  async prepare(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(this.releasesDir, { recursive: true });
    const ignoreFile = path.join(this.target.path, '.airflowignore');
    const current = await readFile(ignoreFile, 'utf8').catch(() => '');
    if (!current.split('\n').includes('/.hangar/')) {
      await writeFileAtomic(ignoreFile, `${current}${current && !current.endsWith('\n') ? '\n' : ''}# Hangar releases and state (served through the namespace links)\n/.hangar/\n`);
    }
  }

  static releaseName(namespace: string, commit: string, excluded: readonly string[]): string {
    const base = `${namespace}-${commit.slice(0, 12)}`;
    if (excluded.length === 0) return base;
    return `${base}-x${createHash('sha256').update(excluded.join('\n')).digest('hex').slice(0, 8)}`;
  }

  hasRelease(release: string): boolean {
    return existsSync(path.join(this.releasesDir, release));
  }

  /** Exports the commit into a temporary folder and renames it into place: a release exists complete or not at all. */
  async materialise(release: string, repoPath: string, commit: string, subdir: string, excluded: readonly string[], manifest: Manifest): Promise<void> {
    if (this.hasRelease(release)) return;
    const tmp = path.join(this.tmpDir, `${release}.${process.pid}.${randomBytes(4).toString('hex')}`);
    await mkdir(tmp);
    await exportTree(repoPath, commit, subdir, tmp);
    if (excluded.length > 0) {
      const ignore = ['# Left out by Hangar: their dag_id is deployed from a repository with a higher priority', ...excluded.map((f) => `/${f}`)];
      await writeFile(path.join(tmp, '.airflowignore'), `${ignore.join('\n')}\n`);
    }
    await writeFileAtomic(path.join(this.releasesDir, `${release}.json`), JSON.stringify({ release, commit, manifest }));
    await rename(tmp, path.join(this.releasesDir, release));
  }

  async releaseManifest(release: string): Promise<Manifest> {
    const text = await readFile(path.join(this.releasesDir, `${release}.json`), 'utf8').catch(() => undefined);
    return text ? (JSON.parse(text) as { manifest: Manifest }).manifest : {};
  }

  /** Points `<dags>/<namespace>` at the release in one rename (a reader sees the old or the new release). */
  async switchNamespace(namespace: string, release: string): Promise<void> {
    const link = path.join(this.target.path, namespace);
    const existing = await this.linkText(namespace);
    const wanted = path.join('.hangar', 'releases', release);
    if (existing === wanted) return;
    if (existing === undefined && existsSync(link)) {
      throw new Error(`${link} exists and is not a Hangar link; move it away before deploying namespace "${namespace}" there.`);
    }
    await this.pointLink(namespace, wanted);
  }

  /** The text of each namespace's link (undefined: no link), to put back with restore(). */
  async links(namespaces: readonly string[]): Promise<Map<string, string | undefined>> {
    return new Map(await Promise.all(namespaces.map(async (ns): Promise<[string, string | undefined]> => [ns, await this.linkText(ns)])));
  }

  /**
   * Undoes a deploy that failed under the lock: every namespace link as `links` recorded it, the releases this deploy
   * created (`created`, never a live one) and their manifests removed, the temporary folder emptied.
   */
  async restore(links: ReadonlyMap<string, string | undefined>, created: readonly string[]): Promise<void> {
    for (const [namespace, text] of links) {
      const now = await this.linkText(namespace);
      if (now === text) continue;
      if (text === undefined) await unlink(path.join(this.target.path, namespace));
      else await this.pointLink(namespace, text);
    }
    const entries = await readdir(this.releasesDir).catch(() => [] as string[]);
    for (const release of created) {
      // The release, its manifest, and a manifest's temporary file left by a failed atomic write.
      for (const entry of entries.filter((e) => e === release || e === `${release}.json` || e.startsWith(`${release}.json.`))) {
        await rm(path.join(this.releasesDir, entry), { recursive: true, force: true });
      }
    }
    await rm(this.tmpDir, { recursive: true, force: true });
  }

  private async linkText(namespace: string): Promise<string | undefined> {
    return readlink(path.join(this.target.path, namespace)).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'EINVAL' ? undefined : Promise.reject(error)));
  }

  private async pointLink(namespace: string, text: string): Promise<void> {
    const tmpLink = path.join(this.tmpDir, `${namespace}.link`);
    await unlink(tmpLink).catch(() => undefined);
    // The link text is relative to <dags>, where it ends up; in tmp/ it dangles, which is harmless.
    await symlink(text, tmpLink);
    await rename(tmpLink, path.join(this.target.path, namespace));
  }

  /** namespace -> release currently served. */
  async liveReleases(namespaces: readonly string[]): Promise<Map<string, string>> {
    const live = new Map<string, string>();
    for (const ns of namespaces) {
      const text = await readlink(path.join(this.target.path, ns)).catch(() => undefined);
      if (text) live.set(ns, path.basename(text));
    }
    return live;
  }

  async liveManifest(namespaces: readonly string[]): Promise<Manifest> {
    const manifest: Manifest = {};
    for (const release of (await this.liveReleases(namespaces)).values()) Object.assign(manifest, await this.releaseManifest(release));
    return manifest;
  }

  /** Deletes releases no kept (last `keepReleases`, or recent) version uses; a release is renamed into tmp/ first so it never exists half-deleted. */
  async collectGarbage(history: readonly HistoryRecord[], live: ReadonlySet<string>): Promise<string[]> {
    const keep = new Set(live);
    const recent = Date.now() - (this.target.gcGraceMs ?? GC_GRACE_MS);
    history.forEach((record, index) => {
      if (index >= history.length - this.target.keepReleases || Date.parse(record.at) > recent) for (const r of record.repositories) if (r.release) keep.add(r.release);
    });
    const removed: string[] = [];
    const entries = await readdir(this.releasesDir);
    for (const entry of entries) {
      // A manifest whose release never appeared (a deploy killed between the two writes).
      if (entry.endsWith('.json') && !keep.has(entry.slice(0, -5)) && !entries.includes(entry.slice(0, -5))) await rm(path.join(this.releasesDir, entry), { force: true });
      if (entry.endsWith('.json') || keep.has(entry)) continue;
      const doomed = path.join(this.tmpDir, `gc-${entry}.${randomBytes(4).toString('hex')}`);
      await rename(path.join(this.releasesDir, entry), doomed);
      await rm(path.join(this.releasesDir, `${entry}.json`), { force: true });
      await rm(doomed, { recursive: true, force: true });
      removed.push(entry);
    }
    return removed;
  }
}
