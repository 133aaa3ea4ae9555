// Turns the example folders of a sample workspace (company-workflows, community-dags, personal) into local bare
// Git repositories under <workspace>/.remotes/, which examples/airflow-repos.yaml uses as its remotes.
// Usage: node scripts/example-remotes.mjs [workspace]   (default: examples/). Idempotent: existing remotes are kept.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const workspace = path.resolve(process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'examples'));
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Hangar Example',
  GIT_AUTHOR_EMAIL: 'example@hangar.invalid',
  GIT_COMMITTER_NAME: 'Hangar Example',
  GIT_COMMITTER_EMAIL: 'example@hangar.invalid',
};
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });

for (const name of ['company-workflows', 'community-dags', 'personal']) {
  const source = path.join(workspace, name);
  const bare = path.join(workspace, '.remotes', `${name}.git`);
  if (!existsSync(source) || existsSync(bare)) continue;
  git(workspace, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  const work = mkdtempSync(path.join(os.tmpdir(), `hangar-example-${name}-`));
  cpSync(source, work, { recursive: true });
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', `${name}: example DAGs`);
  git(work, 'push', '--quiet', bare, 'HEAD:refs/heads/main');
  rmSync(work, { recursive: true, force: true });
  console.log(`example remote: ${bare}`);
}
