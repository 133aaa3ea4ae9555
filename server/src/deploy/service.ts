import { existsSync } from 'node:fs';
import type { GitCredentials } from '../git/credentials';
import { analyzeForDeploy, type FileAnalyzer } from './analyzer';
import { conflictLosers } from './conflicts';
import { checkDeployDependencies } from './dependencyGate';
import { changedFiles, dagDiff } from './diff';
import { FolderHistory } from './folderHistory';
import { FolderStore } from './folderTarget';
import { GateError, buildManifest, gatePasses, type BlockedPlan } from './gate';
import { listFiles, resolveCommit } from './gitSource';
import { deployerIdentity } from './identity';
import { GitStore } from './gitTarget';
import { withLock } from './lock';
import { folderReaderNote } from './readerNote';
import type { DagDiff, DeployAction, DeployRepository, Environment, HistoryRecord, Manifest, RepositoryRef, ValidationSummary, VerificationResult } from './types';

export interface PlannedRepository extends RepositoryRef {
  readonly source: DeployRepository;
  /** Files to leave out (conflict losers), relative to the namespace. */
  readonly excluded: readonly string[];
}

/** Everything a deploy will do, computed before anything changes; shown to the user as the change summary. */
export interface DeployPlan {
  readonly environment: Environment;
  readonly action: DeployAction;
  readonly repositories: readonly PlannedRepository[];
  readonly manifest: Manifest;
  readonly dagDiff: DagDiff;
  readonly changedFiles: readonly string[];
  readonly validation: ValidationSummary;
  readonly forced?: { readonly reason: string };
  readonly restores?: number;
  readonly promotedFrom?: { readonly environment: string; readonly version: number };
  /** What the target served when planned: the apply step refuses to run if it changed meanwhile. */
  readonly base: string;
  /** The target already serves exactly these commits: applying would change nothing. */
  readonly alreadyLive: boolean;
  readonly who: string;
  /** Milliseconds spent in each planning step (resolve, current, files, analyze, dependencies, identity). */
  readonly timings: Readonly<Record<string, number>>;
}

export interface DeployRequest {
  /** repository name -> branch, tag or commit; repositories not named deploy their default ref. */
  readonly refs?: Readonly<Record<string, string>>;
  /** Deploy although the gate blocks (needs `reason`) or the target already serves these commits. */
  readonly force?: boolean;
  readonly reason?: string;
  readonly who?: string;
  /** Interpreter to check imports against when the environment names none (the editor's `hangar.python`). */
  readonly python?: string;
}

/** The target already serves what a deploy would put there; nothing was recorded. */
export class AlreadyLiveError extends Error {
  constructor(readonly plan: DeployPlan) {
    super(`${plan.repositories.map((r) => `${r.name}@${r.commit.slice(0, 12)}`).join(', ')} is already live on "${plan.environment.name}"; nothing to deploy and nothing was recorded. Deploy anyway with --force.`);
  }
}

/** A plan as reports show it (no clone paths, no manifest). */
export function blockedPlan(plan: DeployPlan): BlockedPlan {
  return {
    environment: plan.environment.name,
    action: plan.action,
    repositories: plan.repositories.map(({ name, ref, commit }) => ({ name, ref, commit })),
    dagDiff: plan.dagDiff,
    changedFiles: plan.changedFiles,
  };
}

/** Times the steps of a plan. */
function stopwatch(): { lap(step: string): void; readonly laps: Record<string, number> } {
  let last = performance.now();
  const laps: Record<string, number> = {};
  return {
    laps,
    lap(step) {
      const now = performance.now();
      laps[step] = Math.round((laps[step] ?? 0) + now - last);
      last = now;
    },
  };
}

export interface ApplyOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

export class DeployService {
  constructor(
    private readonly analyze: FileAnalyzer = analyzeForDeploy,
    /** Credentials for pushing to a git target's remote. */
    private readonly gitCredentials: (env: Environment) => GitCredentials | undefined = () => undefined,
  ) {}

  async history(env: Environment): Promise<HistoryRecord[]> {
    if (env.target.kind === 'git') return this.gitStore(env).list();
    return new FolderHistory(new FolderStore(env.target).stateDir).list();
  }

  /**
   * Plans a deploy. Refused with GateError when validation blocks (unless forced with a reason), and with
   * AlreadyLiveError when the target already serves these commits (unless forced): nothing is recorded then.
   */
  async planDeploy(env: Environment, request: DeployRequest = {}): Promise<DeployPlan> {
    for (const name of Object.keys(request.refs ?? {})) {
      if (!env.repositories.some((r) => r.name === name)) throw new Error(`Environment "${env.name}" has no repository "${name}".`);
    }
    const clock = stopwatch();
    const commits = await Promise.all(env.repositories.map((r) => resolveCommit(r.path, request.refs?.[r.name] ?? r.defaultRef)));
    clock.lap('resolve');
    const plan = await this.plan(env, 'deploy', commits, request.refs ?? {}, { who: request.who, python: env.python ?? request.python, clock });
    const reason = request.reason?.trim();
    if (!gatePasses(plan.validation)) {
      if (!request.force) throw new GateError(plan.validation, blockedPlan(plan));
      if (!reason) throw new Error('A deploy that validation blocks needs a reason to be forced (--reason "why"); it is recorded in the history.');
    }
    if (plan.alreadyLive && !request.force) throw new AlreadyLiveError(plan);
    return request.force && reason ? { ...plan, forced: { reason } } : plan;
  }

  /** Serves a version from the history again (default: the version before the current one). */
  async planRollback(env: Environment, toVersion?: number, who?: string): Promise<DeployPlan> {
    const history = await this.history(env);
    const current = history.at(-1);
    if (!current) throw new Error(`Nothing was deployed to "${env.name}" yet; there is nothing to roll back.`);
    const target = toVersion === undefined ? previousDistinct(history) : history.find((r) => r.version === toVersion);
    if (!target) {
      throw new Error(toVersion === undefined ? `"${env.name}" has only one version; there is nothing older to roll back to.` : `"${env.name}" has no version ${toVersion}; see hangar history --env ${env.name}.`);
    }
    const commits = env.repositories.map((r) => {
      const ref = target.repositories.find((x) => x.name === r.name);
      if (!ref) throw new Error(`Version ${target.version} of "${env.name}" did not deploy repository "${r.name}"; roll back by deploying explicit refs instead.`);
      return ref.commit;
    });
    const refs = Object.fromEntries(target.repositories.map((r) => [r.name, r.ref]));
    const plan = await this.plan(env, 'rollback', commits, refs, { who });
    return { ...plan, validation: target.validation, restores: target.version, ...(target.forced ? { forced: target.forced } : {}) };
  }

  /**
   * Deploys to `to` exactly the commits of the newest verified version of `from` (or `request.version`); refused
   * like a deploy when `to` already serves them, unless forced.
   */
  async planPromote(from: Environment, to: Environment, request: { version?: number; who?: string; python?: string; force?: boolean } = {}): Promise<DeployPlan> {
    const fromVersion = request.version;
    const history = await this.history(from);
    const source =
      fromVersion === undefined ? [...history].reverse().find((r) => r.verification?.status === 'verified') : history.find((r) => r.version === fromVersion);
    if (!source) {
      throw new Error(
        fromVersion === undefined
          ? `"${from.name}" has no verified version to promote. Deploy and verify it there first (an Airflow endpoint is needed to verify).`
          : `"${from.name}" has no version ${fromVersion}.`,
      );
    }
    const commits = to.repositories.map((r) => {
      const ref = source.repositories.find((x) => x.name === r.name);
      if (!ref) throw new Error(`Version ${source.version} of "${from.name}" does not contain repository "${r.name}" that "${to.name}" deploys.`);
      return ref.commit;
    });
    const refs = Object.fromEntries(source.repositories.map((r) => [r.name, r.ref]));
    const plan = await this.plan(to, 'promote', commits, refs, { who: request.who, python: to.python ?? request.python });
    if (!gatePasses(plan.validation)) throw new GateError(plan.validation, blockedPlan(plan));
    if (plan.alreadyLive && !request.force) throw new AlreadyLiveError(plan);
    return { ...plan, promotedFrom: { environment: from.name, version: source.version } };
  }

  private async plan(
    env: Environment,
    action: DeployAction,
    commits: readonly string[],
    refs: Readonly<Record<string, string>>,
    { who, python, clock = stopwatch() }: { who?: string; python?: string; clock?: ReturnType<typeof stopwatch> },
  ): Promise<DeployPlan> {
    const { base, previous } = await this.current(env);
    for (const r of env.repositories) {
      if (!existsSync(r.path)) throw new Error(`Repository "${r.name}" has no clone at ${r.path}: run "hangar repos sync" first.`);
    }
    clock.lap('current');
    const files = await Promise.all(env.repositories.map((r, i) => listFiles(r.path, commits[i]!, r.subdir)));
    clock.lap('files');
    const inputs = env.repositories.map((r, i) => ({ repoPath: r.path, namespace: r.namespace, files: files[i]! }));
    const built = await buildManifest(inputs, this.analyze, previous);
    clock.lap('analyze');
    const manifest = built.manifest;
    const validation = python ? await checkDeployDependencies(python, inputs, built.validation) : built.validation;
    if (python) clock.lap('dependencies');
    const losers = conflictLosers(manifest, env.repositories);
    const repositories = env.repositories.map((r, i): PlannedRepository => {
      const excluded = losers.get(r.namespace) ?? [];
      const commit = commits[i]!;
      return {
        name: r.name,
        namespace: r.namespace,
        ref: refs[r.name] ?? r.defaultRef,
        commit,
        ...(env.target.kind === 'folder' ? { release: FolderStore.releaseName(r.namespace, commit, excluded) } : {}),
        source: r,
        excluded,
      };
    });
    const deployer = who ?? (await deployerIdentity(env.configDir));
    clock.lap('identity');
    return {
      environment: env,
      action,
      repositories,
      manifest,
      dagDiff: dagDiff(previous, manifest),
      changedFiles: changedFiles(previous, manifest),
      validation,
      base,
      alreadyLive: base === servedBy(env, repositories),
      who: deployer,
      timings: clock.laps,
    };
  }

  private async current(env: Environment): Promise<{ base: string; previous: Manifest }> {
    if (env.target.kind === 'git') {
      const store = this.gitStore(env);
      const [base, history] = await Promise.all([store.remoteHead(), store.list()]);
      return { base, previous: history.at(-1)?.manifest ?? {} };
    }
    const store = new FolderStore(env.target);
    await store.checkTarget();
    const namespaces = env.repositories.map((r) => r.namespace);
    const live = await store.liveReleases(namespaces);
    return { base: JSON.stringify([...live]), previous: await store.liveManifest(namespaces) };
  }

  /** Makes the plan live and records it. Cancellation is honoured until the switch. */
  async apply(plan: DeployPlan, options: ApplyOptions = {}): Promise<HistoryRecord> {
    const env = plan.environment;
    return env.target.kind === 'git' ? this.applyGit(plan, options) : this.applyFolder(plan, options);
  }

  private async applyFolder(plan: DeployPlan, { signal, onProgress }: ApplyOptions): Promise<HistoryRecord> {
    const env = plan.environment;
    if (env.target.kind !== 'folder') throw new Error('not a folder target');
    const store = new FolderStore(env.target);
    await store.checkTarget();
    const history = new FolderHistory(store.stateDir);
    // Read while the deploy runs (it starts the Airflow interpreter): said once the deploy is done.
    const note = folderReaderNote(env);
    const record = await withLock(store.stateDir, `environment "${env.name}"`, async () => {
      const namespaces = env.repositories.map((r) => r.namespace);
      if (JSON.stringify([...(await store.liveReleases(namespaces))]) !== plan.base) {
        throw new Error(`"${env.name}" changed since this deploy was planned (another deploy ran); run it again to see the new summary.`);
      }
      await store.prepare();
      const links = await store.links(namespaces);
      const created: string[] = [];
      let records: HistoryRecord[];
      try {
        records = await this.publishFolder(plan, store, history, created, { signal, onProgress });
      } catch (error) {
        // A failed or cancelled deploy (a full disk, a failed export or rename) leaves the target as it found it.
        await store.restore(links, created).catch((cleanup: Error) => onProgress?.(`Could not undo everything (${cleanup.message}); the next deploy removes what is left.`));
        throw error;
      }
      // The version is live and recorded: failing to delete old releases only leaves them for the next deploy.
      await store.collectGarbage(records, new Set(plan.repositories.map((r) => r.release!))).catch((gc: Error) => onProgress?.(`Old releases were kept (${gc.message}); the next deploy removes them.`));
      return records.at(-1)!;
    });
    const advice = await note;
    if (advice) onProgress?.(advice);
    return record;
  }

  /** Under the lock: writes the missing releases (named in `created` as they start), switches the links, records the version. */
  private async publishFolder(plan: DeployPlan, store: FolderStore, history: FolderHistory, created: string[], { signal, onProgress }: ApplyOptions): Promise<HistoryRecord[]> {
    for (const r of plan.repositories) {
      signal?.throwIfAborted();
      if (!store.hasRelease(r.release!)) {
        onProgress?.(`Writing release ${r.release}`);
        created.push(r.release!);
      }
      const manifest = Object.fromEntries(Object.entries(plan.manifest).filter(([file]) => file.startsWith(`${r.namespace}/`)));
      await store.materialise(r.release!, r.source.path, r.commit, r.source.subdir, r.excluded, manifest);
    }
    signal?.throwIfAborted();
    onProgress?.('Switching the DAGs folder to the new release');
    for (const r of plan.repositories) await store.switchNamespace(r.namespace, r.release!);
    const records = await history.list();
    records.push(toRecord(plan, (records.at(-1)?.version ?? 0) + 1, false));
    await history.write(records);
    return records;
  }

  private async applyGit(plan: DeployPlan, { signal, onProgress }: ApplyOptions): Promise<HistoryRecord> {
    const env = plan.environment;
    const store = this.gitStore(env);
    const [repository] = plan.repositories;
    return withLock(`${repository!.source.path}/.git/hangar`, `environment "${env.name}"`, async () => {
      const history = await store.list();
      signal?.throwIfAborted();
      const record = toRecord(plan, (history.at(-1)?.version ?? 0) + 1, true);
      onProgress?.(`Pushing ${repository!.commit.slice(0, 12)} to ${env.target.kind === 'git' ? env.target.branch : ''}`);
      await store.publish(repository!.commit, plan.base, record);
      return record;
    });
  }

  /** Stores the verification result in the version's record. */
  async recordVerification(env: Environment, record: HistoryRecord, verification: VerificationResult): Promise<HistoryRecord> {
    const updated = { ...record, verification };
    if (env.target.kind === 'git') {
      await this.gitStore(env).amend(updated, record.repositories[0]!.commit);
      return updated;
    }
    const store = new FolderStore(env.target);
    const history = new FolderHistory(store.stateDir);
    await withLock(store.stateDir, `environment "${env.name}"`, async () => {
      const records = await history.list();
      const index = records.findIndex((r) => r.version === record.version);
      if (index >= 0) records[index] = { ...records[index]!, verification };
      await history.write(records);
    });
    return updated;
  }

  private gitStore(env: Environment): GitStore {
    if (env.target.kind !== 'git') throw new Error('not a git target');
    return new GitStore(env.target, env.name, env.repositories[0]!.path, this.gitCredentials(env));
  }
}

function toRecord(plan: DeployPlan, version: number, withManifest: boolean): HistoryRecord {
  return {
    version,
    environment: plan.environment.name,
    action: plan.action,
    who: plan.who,
    at: new Date().toISOString(),
    repositories: plan.repositories.map(({ name, namespace, ref, commit, release }) => ({ name, namespace, ref, commit, ...(release ? { release } : {}) })),
    dagDiff: plan.dagDiff,
    validation: plan.validation,
    ...(plan.forced ? { forced: plan.forced } : {}),
    ...(plan.restores !== undefined ? { restores: plan.restores } : {}),
    ...(plan.promotedFrom ? { promotedFrom: plan.promotedFrom } : {}),
    ...(withManifest ? { manifest: plan.manifest } : {}),
  };
}

/** The newest version whose commits differ from the current one. */
function previousDistinct(history: readonly HistoryRecord[]): HistoryRecord | undefined {
  const key = (r: HistoryRecord): string => r.repositories.map((x) => `${x.name}@${x.release ?? x.commit}`).join(',');
  const current = key(history.at(-1)!);
  return [...history].reverse().find((r) => key(r) !== current);
}

/** What `current()` reports as the base once these repositories are live (the folder's links, the git branch head). */
function servedBy(env: Environment, repositories: readonly PlannedRepository[]): string {
  return env.target.kind === 'git' ? repositories[0]!.commit : JSON.stringify(repositories.map((r) => [r.namespace, r.release]));
}
