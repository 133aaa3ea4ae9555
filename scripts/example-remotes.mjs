// Turns the example folders of a sample workspace (company-workflows, community-dags, personal) into local bare
// Git repositories under <workspace>/.remotes/, which examples/airflow-repos.yaml uses as its remotes.
// company-workflows gets a release history: v1.0 and v1.1 are tagged commits that pass the deploy gate, and main
// adds the files that are broken on purpose, so the demo can deploy, be blocked, roll back and promote.
// Usage: node scripts/example-remotes.mjs [workspace]   (default: examples/). Idempotent: existing remotes are kept.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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

/** Releases before the last commit, oldest first; the last commit (main) holds every remaining file. */
const HISTORY = {
  'company-workflows': [
    { files: ['dags/orders_daily_etl.py'], message: 'orders: daily ETL of the orders service', tag: 'v1.0' },
    { files: ['dags/revenue_report.py'], message: 'finance: weekly revenue report', tag: 'v1.1' },
  ],
};
const LAST_MESSAGE = {
  'company-workflows': 'Port the legacy inventory DAGs (work in progress)',
};

function copyFiles(source, work, files) {
  for (const file of files) {
    mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    cpSync(path.join(source, file), path.join(work, file));
  }
}

for (const name of ['company-workflows', 'community-dags', 'personal']) {
  const source = path.join(workspace, name);
  const bare = path.join(workspace, '.remotes', `${name}.git`);
  if (!existsSync(source) || existsSync(bare)) continue;
  git(workspace, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  const work = mkdtempSync(path.join(os.tmpdir(), `hangar-example-${name}-`));
  git(work, 'init', '--quiet', '--initial-branch=main');
  for (const release of HISTORY[name] ?? []) {
    copyFiles(source, work, release.files);
    git(work, 'add', '-A');
    git(work, 'commit', '--quiet', '-m', release.message);
    git(work, 'tag', '--annotate', '-m', `${name} ${release.tag}`, release.tag);
  }
  for (const entry of readdirSync(source)) cpSync(path.join(source, entry), path.join(work, entry), { recursive: true });
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', LAST_MESSAGE[name] ?? `${name}: example DAGs`);
  git(work, 'push', '--quiet', '--follow-tags', bare, 'HEAD:refs/heads/main');
  rmSync(work, { recursive: true, force: true });
  console.log(`example remote: ${bare}${HISTORY[name] ? ` (tags ${HISTORY[name].map((r) => r.tag).join(', ')})` : ''}`);
}
