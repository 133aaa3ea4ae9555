import type { Command } from 'commander';
import { headlessDeployService } from './headlessDeploy';
import path from 'node:path';
import { loadConfigFile } from '../config/load';
import { formatConfigError } from '../config/types';
import { describeDiff } from '../dagdiff/format';
import type { SemanticDiff } from '../dagdiff/types';
import { diffCommits, liveVersion, parentOf, requireCommit, resolveVersion, type RepositoryFolder } from '../dagdiff/versions';
import { deployRepository, findEnvironment, loadEnvironments } from '../deploy/environments';
import { defaultStorageDir } from '../repos/workspace';

interface DiffOptions {
  readonly env?: string;
  readonly repo?: string;
  readonly config: string;
  readonly json?: boolean;
}

/** One side of a comparison: what the user asked for and the commit it is (null: nothing, an empty folder). */
interface Side {
  readonly ref: string | null;
  readonly commit: string | null;
  readonly environment?: string;
  readonly version?: number | null;
}

interface RepositoryDiff {
  readonly name: string;
  readonly from: Side;
  readonly to: Side;
  readonly diff: SemanticDiff;
}

const HELP = `
Without --env: FROM defaults to HEAD~1 and TO to HEAD (what the last commit changed); one argument is FROM.
With --env: FROM is the environment's live version of each repository, and the one argument allowed is TO.
HEAD, HEAD~1, HEAD^ are the clone's checked-out history; a branch resolves as origin/<branch> when the clone has it.`;

/** `hangar diff [FROM] [TO] [--env NAME] [--repo NAME] [--config FILE] [--json]`. */
export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('What changes in the DAGs between two versions: DAGs, tasks, arguments, edges, TaskGroups (static model; no Airflow needed)')
    .argument('[from]', 'commit, branch or tag to compare from')
    .argument('[to]', 'commit, branch or tag to compare to (default: HEAD)')
    .option('--env <name>', 'compare what this environment serves (its live version) with TO')
    .option('--repo <name>', 'the repository (default: every repository of --env, or the only one of the file)')
    .option('--config <file>', 'configuration file', 'airflow-repos.yaml')
    .option('--json', 'print the structured diff as JSON')
    .addHelpText('after', HELP)
    .action(async (from: string | undefined, to: string | undefined, options: DiffOptions) => {
      const results = options.env ? await againstEnvironment(options, options.env, from, to) : [await betweenVersions(options, from, to)];
      if (options.json) console.log(JSON.stringify({ repositories: results }, null, 2));
      else console.log(results.map(describeRepository).join('\n\n'));
    });
}

async function betweenVersions(options: DiffOptions, from: string | undefined, to: string | undefined): Promise<RepositoryDiff> {
  const repository = pickRepository(options);
  const toCommit = await resolveVersion(repository, to ?? 'HEAD');
  const fromCommit = from !== undefined ? await resolveVersion(repository, from) : await parentOf(repository, toCommit);
  const toSide: Side = { ref: to ?? 'HEAD', commit: toCommit };
  const fromSide: Side = { ref: from ?? (fromCommit ? `${toSide.ref}~1` : null), commit: fromCommit };
  return { name: repository.name, from: fromSide, to: toSide, diff: await diffCommits(repository, fromCommit, toCommit) };
}

async function againstEnvironment(options: DiffOptions, name: string, first: string | undefined, second: string | undefined): Promise<RepositoryDiff[]> {
  if (second !== undefined) throw new Error(`With --env the live version of "${name}" is FROM: give at most one version, the one to compare it with (hangar diff --env ${name} [TO]).`);
  const env = findEnvironment(loadEnvironments(path.resolve(options.config)), name);
  const repositories = options.repo ? [findByName(env.repositories, options.repo, `environment "${env.name}"`)] : env.repositories;
  const history = await headlessDeployService().history(env);
  const to = first ?? 'HEAD';
  return Promise.all(
    repositories.map(async (repository): Promise<RepositoryDiff> => {
      const toCommit = await resolveVersion(repository, to);
      const live = liveVersion(history, repository.name);
      const fromCommit = live ? await requireCommit(repository, live.commit, `Version ${live.version} of "${env.name}"`) : null;
      const from: Side = { ref: live?.ref ?? null, commit: fromCommit, environment: env.name, version: live?.version ?? null };
      return { name: repository.name, from, to: { ref: to, commit: toCommit }, diff: await diffCommits(repository, fromCommit, toCommit) };
    }),
  );
}

function pickRepository(options: DiffOptions): RepositoryFolder {
  const config = loadConfigFile(path.resolve(options.config));
  if (!config.exists) throw new Error(`${config.file} does not exist; run hangar in the folder that holds airflow-repos.yaml or pass --config.`);
  for (const error of config.errors) console.error(formatConfigError(error));
  const repositories = config.repositories.map((r) => deployRepository(r, defaultStorageDir(config.file)));
  if (options.repo) return findByName(repositories, options.repo, config.file);
  if (repositories.length === 1) return repositories[0]!;
  throw new Error(
    repositories.length === 0
      ? `${config.file} declares no repository; add one with hangar repos add NAME URL.`
      : `${config.file} declares ${repositories.length} repositories: pick one with --repo NAME (${repositories.map((r) => r.name).join(', ')}).`,
  );
}

function findByName<T extends { readonly name: string }>(repositories: readonly T[], name: string, where: string): T {
  const repository = repositories.find((r) => r.name === name);
  if (!repository) throw new Error(`No repository "${name}" in ${where}. Known: ${repositories.map((r) => r.name).join(', ') || 'none'}.`);
  return repository;
}


function describeRepository(result: RepositoryDiff): string {
  return [`${result.name}: ${describeSide(result.from)} → ${describeSide(result.to)}`, ...describeDiff(result.diff)].join('\n');
}

function describeSide(side: Side): string {
  const commit = side.commit ? side.commit.slice(0, 12) : 'nothing';
  if (side.environment !== undefined) return side.version ? `${side.environment} version ${side.version} (${commit})` : `${side.environment}: nothing deployed`;
  return side.ref && side.ref !== side.commit ? `${side.ref} (${commit})` : commit;
}
