import { secretsOf, type GitCredentials } from '../git/credentials';
import { gitEnvironment, PINNED_RECEIVE_PACK, PINNED_UPLOAD_PACK } from '../git/environment';
import { assertGitUrl, assertRevision } from '../git/remote';
import { git, gitWithInput } from './gitSource';
import type { GitTarget, HistoryRecord } from './types';

const TAG_PREFIX = 'refs/tags/hangar/deploy';

/**
 * A deployment branch on a remote that Airflow's GitDagBundle (tracking_ref) or git-sync follows.
 * Each deploy is an annotated tag `hangar/deploy/<env>/<n>` on the remote whose message is the history record,
 * pushed atomically with the branch under a lease, so the remote holds the one shared history.
 */
export class GitStore {
  constructor(
    readonly target: GitTarget,
    readonly environment: string,
    /** Local clone that holds the commits and fetches the history tags into a private ref namespace. */
    readonly repoPath: string,
    private readonly credentials?: GitCredentials,
  ) {
    assertGitUrl(target.url, `The URL of the git target of environment "${environment}"`);
    assertRevision(target.branch, `The branch of the git target of environment "${environment}"`);
  }

  private get tagNamespace(): string {
    return `${TAG_PREFIX}/${this.environment}`;
  }

  private get localNamespace(): string {
    return `refs/hangar/deploys/${this.environment}`;
  }

  /** The deployment branch's commit on the remote ('' when it does not exist yet). */
  async remoteHead(): Promise<string> {
    const out = await this.remote(['ls-remote', PINNED_UPLOAD_PACK, '--', this.target.url, `refs/heads/${this.target.branch}`]);
    return out.split('\t')[0]?.trim() ?? '';
  }

  async list(): Promise<HistoryRecord[]> {
    await this.remote(['fetch', PINNED_UPLOAD_PACK, '--quiet', '--no-tags', '--', this.target.url, `+${this.tagNamespace}/*:${this.localNamespace}/*`]);
    const out = await git(this.repoPath, ['for-each-ref', '--format=%(contents)%00', '--', this.localNamespace]);
    return out
      .split('\0')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => JSON.parse(s) as HistoryRecord)
      .sort((a, b) => a.version - b.version);
  }

  /**
   * Pushes `commit` to the branch only if the branch still is `expected`, together with the tag recording it.
   * `git push --atomic`: both refs change or neither (a concurrent deploy taking the same version number or
   * moving the branch makes the whole push fail).
   */
  async publish(commit: string, expected: string, record: HistoryRecord): Promise<void> {
    const tagName = `hangar/deploy/${this.environment}/${record.version}`;
    const tagObject = `object ${commit}\ntype commit\ntag ${tagName}\ntagger ${record.who.replace(/[<>\n]/g, '')} <hangar@localhost> ${Math.floor(Date.parse(record.at) / 1000)} +0000\n\n${JSON.stringify(record)}\n`;
    const tagSha = (await gitWithInput(this.repoPath, ['mktag'], tagObject)).trim();
    const branchRef = `refs/heads/${this.target.branch}`;
    try {
      await this.remote(['push', PINNED_RECEIVE_PACK, '--atomic', '--porcelain', `--force-with-lease=${branchRef}:${expected}`, '--', this.target.url, `${commit}:${branchRef}`, `${tagSha}:${this.tagNamespace}/${record.version}`]);
    } catch (error) {
      throw new Error(
        `The deployment branch ${this.target.branch} of ${redact(this.target.url)} changed while this deploy ran, or version ${record.version} was taken by a concurrent deploy; nothing was pushed. Run the deploy again to see the new state.\n${redact((error as Error).message)}`,
      );
    }
  }

  /** Rewrites the record of a version (verification result) by moving its tag; only this tag is forced. */
  async amend(record: HistoryRecord, commit: string): Promise<void> {
    const tagName = `hangar/deploy/${this.environment}/${record.version}`;
    const tagObject = `object ${commit}\ntype commit\ntag ${tagName}\ntagger ${record.who.replace(/[<>\n]/g, '')} <hangar@localhost> ${Math.floor(Date.parse(record.at) / 1000)} +0000\n\n${JSON.stringify(record)}\n`;
    const tagSha = (await gitWithInput(this.repoPath, ['mktag'], tagObject)).trim();
    await this.remote(['push', PINNED_RECEIVE_PACK, '--porcelain', '--force', '--', this.target.url, `${tagSha}:${this.tagNamespace}/${record.version}`]);
  }

  /** Git against the remote: credentials (when bound to it) only through the askpass helper's environment, scrubbed from errors. */
  private async remote(args: string[]): Promise<string> {
    const access = { auth: this.target.auth ?? 'none', ...(this.credentials ? { credentials: this.credentials } : {}) };
    return git(this.repoPath, args, gitEnvironment({ access, remote: this.target.url })).catch((error: Error) => {
      let message = redact(error.message);
      for (const secret of secretsOf(access)) message = message.split(secret).join('***');
      return Promise.reject(new Error(message));
    });
  }
}

/** Removes user:password from URLs so credentials never reach an error message. */
export function redact(text: string): string {
  return text.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@');
}
