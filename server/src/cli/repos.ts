import { Command, InvalidArgumentError } from 'commander';
import path from 'node:path';
import { addRepositoryEntry, removeRepositoryEntry, saveConfigDocument, type RepositoryEntry } from '../config/edit';
import { loadConfigFile, type WorkspaceConfig } from '../config/load';
import { formatConfigError, type RepositoryConfig } from '../config/types';
import { InvalidCredentials, scrub } from '../git/errors';
import { GitClient } from '../git/gitClient';
import { removeClone } from '../repos/cloneFolder';
import { credentialsFromEnv } from '../repos/envCredentials';
import { RepositoryStore } from '../repos/store';
import { cloneDirOf, describeRef, syncRepository, type SyncResult } from '../repos/sync';
import { defaultStorageDir, workspaceConflicts } from '../repos/workspace';

interface CommonOptions {
  json?: boolean;
  config: string;
  storage?: string;
}

function withCommon(command: Command): Command {
  return command
    .option('--json', 'print machine-readable JSON')
    .option('--config <file>', 'the airflow-repos.yaml to read and write', 'airflow-repos.yaml')
    .option('--storage <dir>', 'where clones, state and sync history live (default: .hangar next to the config file)');
}

/** Every error of the file is printed, located, and fails the command (exit code 1) whatever else it does. */
function open(options: CommonOptions): { config: WorkspaceConfig; storageDir: string } {
  const config = loadConfigFile(path.resolve(options.config));
  for (const error of config.errors) console.error(formatConfigError(error));
  if (config.errors.length > 0) process.exitCode = 1;
  return { config, storageDir: options.storage ? path.resolve(options.storage) : defaultStorageDir(config.file) };
}

function pick(config: WorkspaceConfig, name: string | undefined): RepositoryConfig[] {
  if (!name) return config.repositories;
  const repository = config.repositories.find((r) => r.name === name);
  if (!repository) throw new Error(`no repository named "${name}" in ${config.file}${config.errors.length ? ' (or its entry has errors, listed above)' : ''}`);
  return [repository];
}

const integer = (value: string): number => {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('must be an integer');
  return Number(value);
};

function summary(result: SyncResult): string {
  if (result.result === 'up-to-date') return `${result.repository}: up to date at ${result.to?.slice(0, 8)}`;
  const v = result.validation;
  return (
    `${result.repository}: ${result.from?.slice(0, 8) ?? 'cloned'} -> ${result.to?.slice(0, 8)}; ` +
    `+${result.added.length} ~${result.modified.length} -${result.removed.length} DAG files` +
    (v ? `; validated ${v.filesValidated}: ${v.errors} error(s), ${v.warnings} warning(s); ${v.dags} DAGs` : '')
  );
}

/** `hangar repos list|add|remove|sync|history`. Credentials only from environment variables (see envCredentials.ts). */
export function registerRepos(program: Command): void {
  const repos = program.command('repos').description('the Git repositories of airflow-repos.yaml: list, add, remove, sync');

  withCommon(repos.command('list').description('configured repositories with their last sync')).action((options: CommonOptions) => {
    const { config, storageDir } = open(options);
    const store = new RepositoryStore(storageDir);
    const rows = config.repositories.map((r) => {
      const state = store.state(r.name);
      const last = store.history(r.name)[0];
      return {
        name: r.name,
        url: scrub(r.url),
        ref: describeRef(r.ref),
        namespace: r.namespace,
        priority: r.priority,
        commit: state?.commit,
        dags: state ? Object.values(state.files).reduce((n, f) => n + f.dagIds.length, 0) : undefined,
        lastSync: last && { time: last.time, result: last.result, error: last.error?.message },
        clone: cloneDirOf(r, storageDir),
      };
    });
    const conflicts = workspaceConflicts(config.repositories, storageDir).conflicts;
    if (options.json) console.log(JSON.stringify({ repositories: rows, conflicts, errors: config.errors }, null, 2));
    else {
      if (rows.length === 0) console.log(`no repositories in ${config.file}; add one with: hangar repos add NAME URL`);
      for (const row of rows) {
        const last = row.lastSync ? `${row.lastSync.result} ${row.lastSync.time}${row.lastSync.error ? ` (${row.lastSync.error})` : ''}` : 'never synced';
        console.log(`${row.name}\t${row.ref}\t${row.commit?.slice(0, 8) ?? '-'}\t${row.dags ?? '-'} DAGs\tpriority ${row.priority}\t${last}\t${row.url}`);
      }
      for (const c of conflicts) console.log(`conflict: dag_id "${c.dagId}" in ${[c.winner, ...c.losers].map((l) => `${l.repository}:${l.file}`).join(', ')}; ${c.winner.repository} wins`);
    }
    if (config.errors.length) process.exitCode = 1;
  });

  withCommon(repos.command('add').description('add a repository to airflow-repos.yaml (comments and formatting kept)'))
    .argument('<name>', 'unique name, also the default namespace')
    .argument('<url>', 'clone URL or local path (no credentials in it)')
    .option('--branch <branch>', 'branch to follow')
    .option('--tag <tag>', 'tag to pin')
    .option('--commit <sha>', 'commit to pin')
    .option('--priority <n>', 'higher wins dag_id conflicts', integer)
    .option('--namespace <namespace>', 'deploy folder (default: the name)')
    .option('--dags-path <path>', 'folder of DAG files in the repository (default: dags)')
    .option('--auth <kind>', 'none | token | basic | ssh')
    .option('--username <user>', 'user name for basic/token auth')
    .option('--ssh-key <file>', 'private key for ssh auth')
    .option('--sync-interval <duration>', 'poll the remote every e.g. 60s')
    .action(async (name: string, url: string, options: CommonOptions & Record<string, string | number | undefined>) => {
      const { config } = open(options);
      const entry: RepositoryEntry = {
        name,
        url,
        branch: options.branch as string | undefined,
        tag: options.tag as string | undefined,
        commit: options.commit as string | undefined,
        priority: options.priority as number | undefined,
        namespace: options.namespace as string | undefined,
        dags_path: options.dagsPath as string | undefined,
        auth: options.auth as RepositoryEntry['auth'],
        username: options.username as string | undefined,
        ssh_key: options.sshKey as string | undefined,
        sync_interval: options.syncInterval as string | undefined,
      };
      addRepositoryEntry(config.document, entry);
      await saveConfigDocument(config.file, config.document);
      console.log(options.json ? JSON.stringify({ added: name, file: config.file }) : `added ${name} to ${config.file}; sync it with: hangar repos sync ${name}`);
    });

  withCommon(repos.command('remove').description('remove a repository from airflow-repos.yaml'))
    .argument('<name>')
    .option('--delete-clone', 'also delete the local clone and its sync history')
    .action(async (name: string, options: CommonOptions & { deleteClone?: boolean }) => {
      const { config, storageDir } = open(options);
      const repository = config.repositories.find((r) => r.name === name);
      removeRepositoryEntry(config.document, name);
      await saveConfigDocument(config.file, config.document);
      let kept: string | undefined;
      if (options.deleteClone && repository) {
        // Only a clone Hangar made, with no local change, is deleted; anything else stays where it is.
        const git = new GitClient({ access: { auth: 'none' } });
        kept = await removeClone(cloneDirOf(repository, storageDir), { git, adopt: !repository.path }).then(
          () => undefined,
          (error: Error) => error.message,
        );
        if (kept === undefined) await new RepositoryStore(storageDir).forget(name);
        else process.exitCode = 1;
      }
      if (options.json) console.log(JSON.stringify({ removed: name, ...(kept ? { cloneKept: kept } : {}) }));
      else console.log(`removed ${name} from ${config.file}${kept ? `; ${kept}` : ''}`);
    });

  withCommon(repos.command('sync').description('clone or fetch, move to the configured ref, validate the changed DAG files'))
    .argument('[name]', 'one repository (default: all)')
    .action(async (name: string | undefined, options: CommonOptions) => {
      const { config, storageDir } = open(options);
      if (!config.exists) throw new Error(`${config.file} does not exist; run hangar in the folder that holds airflow-repos.yaml or pass --config.`);
      const selected = pick(config, name);
      if (selected.length === 0) {
        console.error(config.errors.length ? `nothing synced: no entry of ${config.file} is valid (errors above)` : `nothing to sync: ${config.file} lists no repositories; add one with: hangar repos add NAME URL`);
        process.exitCode = 1;
      }
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      const results: Array<SyncResult | { repository: string; result: 'failed'; error: { kind: string; message: string } }> = [];
      for (const repository of selected) {
        try {
          const result = await syncRepository({
            repository,
            storageDir,
            credentials: credentialsFromEnv(repository),
            trigger: 'cli',
            signal: controller.signal,
            log: options.json ? undefined : (line) => console.error(line),
          });
          results.push(result);
          if (!options.json) console.log(summary(result));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const kind = error instanceof InvalidCredentials ? 'invalid-credentials' : 'git';
          results.push({ repository: repository.name, result: 'failed', error: { kind, message } });
          if (!options.json) console.error(`${repository.name}: ${message}`);
          process.exitCode = 1;
        }
      }
      const conflicts = workspaceConflicts(config.repositories, storageDir).conflicts;
      if (options.json) console.log(JSON.stringify({ results, conflicts, errors: config.errors }, null, 2));
      else for (const c of conflicts) console.log(`conflict: dag_id "${c.dagId}": ${c.winner.repository} wins, excluded from deploys: ${c.losers.map((l) => `${l.repository}:${l.file}`).join(', ')}`);
    });

  withCommon(repos.command('history').description('sync history of a repository, newest first'))
    .argument('<name>')
    .option('--limit <n>', 'entries to show', integer, 20)
    .action((name: string, options: CommonOptions & { limit: number }) => {
      const { config, storageDir } = open(options);
      pick(config, name);
      const history = new RepositoryStore(storageDir).history(name).slice(0, options.limit);
      if (options.json) console.log(JSON.stringify(history, null, 2));
      else
        for (const h of history) {
          console.log(`${h.time}\t${h.trigger}\t${h.result}\t${h.from?.slice(0, 8) ?? '-'} -> ${h.to?.slice(0, 8) ?? '-'}\t+${h.added.length} ~${h.modified.length} -${h.removed.length}${h.error ? `\t${h.error.message}` : ''}`);
        }
    });
}
