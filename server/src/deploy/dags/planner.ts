import { conflictLosers } from '../conflicts';
import { GateError, gatePasses } from '../gate';
import { resolveCommit } from '../gitSource';
import { AlreadyLiveError, blockedPlan, type DeployPlan, type DeployService } from '../service';
import type { CanaryEvent, ComposedFile, Composition, DagMove, DeployAction, DeployRepository, Environment, HistoryRecord, RepositoryRef } from '../types';
import { canaryFiles } from './canaryGuard';
import { composeCommit, compositionOf, ensureCommit, originOf, withFiles, withoutFiles } from './composition';
import { dagScope, refuseShared, type DagScope } from './scope';
import { TreeFacts, type FactsCache } from './treeFacts';

export interface DagRequest {
  readonly dagId: string;
  /** Take along the other DAGs that share a moved file or import a moved helper. */
  readonly withShared?: boolean;
  /** Move the helper modules the DAG imports (default true). */
  readonly helpers?: boolean;
  readonly force?: boolean;
  readonly reason?: string;
  readonly who?: string;
  readonly python?: string;
}

/** What a canary adds to a per-DAG deploy: its event, generated files to add, files to drop from the composition. */
export interface DagExtras {
  readonly canary?: CanaryEvent;
  readonly files?: readonly ComposedFile[];
  readonly drop?: readonly string[];
}

/** Where a DAG is served now: its repository, the live version and what that repository serves. */
export interface ServedDag {
  readonly env: Environment;
  readonly history: readonly HistoryRecord[];
  readonly live: HistoryRecord;
  readonly repository: DeployRepository;
  readonly served: RepositoryRef;
}

/** A candidate for one DAG: a commit of the repository, and the composition it holds (to say where files came from). */
interface Candidate {
  readonly commit: string;
  readonly composition: Composition;
  /** How refusals name it ("v1.4 of team", "version 3 of prod"). */
  readonly name: string;
}

/** The DAG already is as asked: nothing would change. */
export class DagAlreadyLiveError extends AlreadyLiveError {
  constructor(plan: DeployPlan, dagId: string, candidate: string) {
    super(plan);
    this.message = `"${dagId}" on "${plan.environment.name}" is already what ${candidate} has; nothing to deploy and nothing was recorded. Deploy anyway with --force.`;
  }
}

/**
 * Per-DAG deploys and rollbacks: the version served now, with only the files of one DAG (and the helpers it imports)
 * taken from another version, as a composed commit (composition.ts). Every other file stays byte-identical; the gate
 * checks the files that change; the record says which DAG moved from which commit to which.
 */
export class DagPlanner {
  private readonly facts: FactsCache = new Map();

  constructor(private readonly service: DeployService) {}

  /** The repository and live version serving `dagId`; refused when the environment does not serve it. */
  async served(env: Environment, dagId: string): Promise<ServedDag> {
    const history = await this.service.history(env);
    const live = history.at(-1);
    if (!live) throw new Error(`Nothing was deployed to "${env.name}" yet: deploy the environment first (hangar deploy --env ${env.name}).`);
    const manifest = await this.service.liveManifest(env);
    const losers = conflictLosers(manifest, env.repositories);
    const serving = env.repositories.filter((r) =>
      Object.entries(manifest).some(([key, entry]) => key.startsWith(`${r.namespace}/`) && entry.dagIds.includes(dagId) && !(losers.get(r.namespace) ?? []).includes(key.slice(r.namespace.length + 1))),
    );
    const repository = serving[0];
    if (!repository) {
      const known = [...new Set(Object.values(manifest).flatMap((e) => e.dagIds))].sort();
      throw new Error(`"${env.name}" does not serve a DAG "${dagId}" (v${live.version} serves ${known.length} DAG(s)${known.length ? `: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}` : ''}).`);
    }
    const served = live.repositories.find((r) => r.name === repository.name);
    if (!served) throw new Error(`Version ${live.version} of "${env.name}" did not deploy repository "${repository.name}"; deploy the environment first.`);
    return { env, history, live, repository, served };
  }

  /** `dagId` as `ref` (default: the repository's default ref) has it, everything else as served. */
  async planDeploy(env: Environment, request: DagRequest & { ref?: string }, extra: DagExtras = {}): Promise<DeployPlan> {
    const at = await this.served(env, request.dagId);
    const ref = request.ref ?? at.repository.defaultRef;
    const commit = await resolveCommit(at.repository.path, ref);
    return this.plan(at, 'deploy', request, { commit, composition: { base: commit, files: [] }, name: `${ref} of ${at.repository.name}` }, extra);
  }

  /** `dagId` as version `to` (default: the newest version where it differs from now) served it, everything else as served. */
  async planRollback(env: Environment, request: DagRequest & { to?: number }): Promise<DeployPlan> {
    const at = await this.served(env, request.dagId);
    const target = request.to === undefined ? await this.previousVersionOf(at, request.dagId) : at.history.find((r) => r.version === request.to);
    if (!target) {
      throw new Error(request.to === undefined ? `No earlier version of "${at.env.name}" served "${request.dagId}" differently; there is nothing to roll it back to.` : `"${at.env.name}" has no version ${request.to}; see hangar history --env ${at.env.name}.`);
    }
    const ref = target.repositories.find((r) => r.name === at.repository.name);
    if (!ref) throw new Error(`Version ${target.version} of "${at.env.name}" did not deploy repository "${at.repository.name}".`);
    const commit = await ensureCommit(at.repository, ref);
    const plan = await this.plan(at, 'rollback', request, { commit, composition: compositionOf(ref), name: `version ${target.version} of "${at.env.name}"` });
    return { ...plan, restores: target.version };
  }

  /** The newest version before the live one whose files of `dagId` differ from the live ones. */
  private async previousVersionOf(at: ServedDag, dagId: string): Promise<HistoryRecord | undefined> {
    const live = await this.tree(at.repository, await ensureCommit(at.repository, at.served));
    const liveBlobs = await this.dagBlobs(live, dagId);
    for (const record of [...at.history].reverse().slice(1)) {
      const ref = record.repositories.find((r) => r.name === at.repository.name);
      if (!ref || canaryFiles(record).some((f) => f.canary!.dagId === dagId)) continue;
      const tree = await this.tree(at.repository, await ensureCommit(at.repository, ref).catch(() => ''));
      const blobs = tree && (await this.dagBlobs(tree, dagId));
      if (blobs && blobs.length > 0 && blobs.join() !== liveBlobs.join()) return record;
    }
    return undefined;
  }

  private async dagBlobs(tree: TreeFacts, dagId: string): Promise<string[]> {
    return (await tree.definingFiles(dagId)).map((f) => `${f}@${tree.blob(f)}`).sort();
  }

  private async tree(repository: DeployRepository, commit: string): Promise<TreeFacts> {
    return TreeFacts.at(repository.path, commit, repository.subdir, this.facts);
  }

  /** The scope of `dagId` between what is served and `candidate`, refused when other DAGs would come along unasked. */
  async scope(at: ServedDag, dagId: string, candidate: { commit: string; name: string }, options: { withShared?: boolean; helpers?: boolean } = {}): Promise<DagScope> {
    const [live, next] = await Promise.all([this.tree(at.repository, await ensureCommit(at.repository, at.served)), this.tree(at.repository, candidate.commit)]);
    const scope = await dagScope(dagId, live, next, { helpers: options.helpers ?? true, environment: at.env.name, candidateName: candidate.name });
    if (!options.withShared) refuseShared(scope);
    return scope;
  }

  private async plan(at: ServedDag, action: DeployAction, request: DagRequest, candidate: Candidate, extra: DagExtras = {}): Promise<DeployPlan> {
    if (!extra.canary && canaryFiles(at.live).some((f) => f.canary!.dagId === request.dagId)) {
      throw new Error(`A canary of "${request.dagId}" is running on "${at.env.name}": promote or abort it first (hangar canary promote|abort --env ${at.env.name} --dag ${request.dagId}).`);
    }
    const scope = await this.scope(at, request.dagId, candidate, request);
    const next = await this.tree(at.repository, candidate.commit);
    const live = compositionOf(at.served);
    const moved: ComposedFile[] = scope.files.map((path) => ({ path, from: next.has(path) ? originOf(candidate.composition, path) : null }));
    const composition = withoutFiles(withFiles(live, [...moved, ...(extra.files ?? [])]), extra.drop ?? []);
    const dags = [request.dagId, ...scope.shared.filter((id) => !id.startsWith('?('))].map(
      (dagId): DagMove => ({ dagId, repository: at.repository.name, from: origin(live, scope.live), to: origin(candidate.composition, scope.candidate) }),
    );
    return this.planComposition(at, action, composition, {
      gated: [...scope.files, ...(extra.files ?? []).map((f) => f.path)],
      dags,
      affectedDags: scope.affected,
      request,
      candidateName: candidate.name,
      ...(extra.canary ? { canary: extra.canary } : {}),
    });
  }

  /**
   * Plans serving `composition` for the DAG's repository (every other repository as served), checked by the gate over
   * the `gated` files; refused like a deploy when the gate blocks or nothing would change (unless forced).
   */
  async planComposition(
    at: ServedDag,
    action: DeployAction,
    composition: Composition,
    options: { gated: readonly string[]; dags?: readonly DagMove[]; affectedDags?: readonly string[]; canary?: CanaryEvent; request: Omit<DagRequest, 'dagId'> & { dagId: string }; candidateName: string },
  ): Promise<DeployPlan> {
    const { env } = at;
    const commit = await composeCommit(at.repository, composition);
    const refs = Object.fromEntries(at.live.repositories.map((r) => [r.name, r.ref]));
    const commits = await Promise.all(
      env.repositories.map((r) => {
        if (r.name === at.repository.name) return commit;
        const served = at.live.repositories.find((x) => x.name === r.name);
        if (!served) throw new Error(`Version ${at.live.version} of "${env.name}" did not deploy repository "${r.name}": deploy the environment first (hangar deploy --env ${env.name}).`);
        return ensureCommit(r, served);
      }),
    );
    const compositions = env.repositories.map((r) => (r.name === at.repository.name ? composition : at.live.repositories.find((x) => x.name === r.name)?.composition));
    const gated = new Set(options.gated.map((file) => `${at.repository.namespace}/${file}`));
    const { request } = options;
    const python = env.python ?? request.python;
    const planned = await this.service.planCommits(env, action, commits, refs, { compositions, gated, ...(request.who ? { who: request.who } : {}), ...(python ? { python } : {}) });
    const plan: DeployPlan = {
      ...planned,
      ...(options.dags ? { dags: options.dags } : {}),
      ...(options.affectedDags?.length ? { affectedDags: options.affectedDags } : {}),
      ...(options.canary ? { canary: options.canary } : {}),
    };
    const reason = request.reason?.trim();
    if (!gatePasses(plan.validation)) {
      if (!request.force) throw new GateError(plan.validation, blockedPlan(plan));
      if (!reason) throw new Error('A deploy that validation blocks needs a reason to be forced (--reason "why"); it is recorded in the history.');
    }
    if (commit === at.served.commit && !request.force) throw new DagAlreadyLiveError(plan, request.dagId, options.candidateName);
    return request.force && reason ? { ...plan, forced: { reason } } : plan;
  }
}

/** The commit the first of `files` came from in `composition`. */
function origin(composition: Composition, files: readonly string[]): string {
  return (files[0] && originOf(composition, files[0])) ?? composition.base;
}
