import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { addRepositoryEntry, removeRepositoryEntry, saveConfigDocument, updateRepositoryEntry, type RepositoryEntry } from '../../../server/src/config/edit';
import { loadConfigFile } from '../../../server/src/config/load';
import { resolveConfiguredUrl } from '../../../server/src/config/remoteChecks';
import type { RepositoryConfig } from '../../../server/src/config/types';
import { InvalidCredentials } from '../../../server/src/git/errors';
import { GitClient, type RemoteRefs } from '../../../server/src/git/gitClient';
import { gitUrlProblem } from '../../../server/src/git/remote';
import { removeClone } from '../../../server/src/repos/cloneFolder';
import type { GitAccess, GitCredentials } from '../../../server/src/git/credentials';
import { describeRef, type SyncResult } from '../../../server/src/repos/sync';
import type { SyncHistoryEntry } from '../../../server/src/repos/types';
import { separator, type PickItem, type Prompts } from '../prompts';
import { requireTrust, trusted } from '../trust';
import type { RepositoriesController } from './controller';
import { promptCredentials, type CredentialScope } from './credentials';
import { HistoryDocuments } from '../views/historyDocuments';
import { renderSyncHistory } from './syncHistoryDocument';

/** A tree node, a repository name (tests, other commands) or nothing (palette: a quick pick). */
type RepositoryArg = { repository: RepositoryConfig } | string | undefined;

async function pickRepository(controller: RepositoriesController, arg: RepositoryArg, title: string): Promise<RepositoryConfig | undefined> {
  if (typeof arg === 'object' && arg && 'repository' in arg) return controller.find(arg.repository.name) ?? arg.repository;
  if (typeof arg === 'string') {
    const found = controller.find(arg);
    if (!found) void vscode.window.showErrorMessage(`No repository named "${arg}" in airflow-repos.yaml.`);
    return found;
  }
  if (controller.repositories.length === 0) {
    void vscode.window.showInformationMessage('No repositories yet: run "Hangar: Add Repository".');
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(
    controller.repositories.map((r) => ({ label: r.name, description: `${describeRef(r.ref)} · ${r.url}`, repository: r })),
    { title, placeHolder: 'Repository' },
  );
  return choice?.repository;
}

/** Edits airflow-repos.yaml through its Document (comments kept) and reloads. */
async function editConfig(controller: RepositoriesController, edit: (document: ReturnType<typeof loadConfigFile>['document']) => void): Promise<void> {
  const config = loadConfigFile(controller.configFile);
  edit(config.document);
  await saveConfigDocument(config.file, config.document);
  controller.reload();
}

/** What `hangar.addRepository` accepts as an argument (skips the prompts; used by tests and other extensions). */
export interface AddRepositoryArgs extends RepositoryEntry {
  /** Sync right after adding (default true). */
  sync?: boolean;
}

const nameFromUrl = (url: string): string =>
  (url.replace(/\/+$/, '').split(/[/:]/).pop() ?? 'repository').replace(/\.git$/, '').replace(/[^A-Za-z0-9._-]+/g, '-') || 'repository';

interface RemoteAccess {
  refs: RemoteRefs;
  auth: NonNullable<RepositoryEntry['auth']>;
  sshKey?: string;
  entered?: { scope: CredentialScope; credentials: GitCredentials };
}

/** The questions of the Add Repository wizard: URL, branch or tag, name (credentials are asked only when needed). */
const ADD_STEPS = 3;

const isSshUrl = (url: string): boolean => /^ssh:\/\//.test(url) || /^[\w.-]+@[\w.-]+:/.test(url);

/** Lists the remote's branches and tags, asking how to authenticate when the remote refuses anonymous access. */
async function listRemote(url: string): Promise<RemoteAccess | undefined> {
  const run = (access: GitAccess) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading branches and tags of ${url}`, cancellable: true }, (_p, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return new GitClient({ access, signal: controller.signal }).lsRemote(url);
    });
  try {
    return { refs: await run({ auth: 'none' }), auth: 'none' };
  } catch (error) {
    if (!(error instanceof InvalidCredentials)) throw error;
  }
  const kinds: Array<{ label: string; auth: 'ssh' | 'token' | 'basic' }> = isSshUrl(url)
    ? [{ label: 'SSH key', auth: 'ssh' }]
    : [
        { label: 'Access token', auth: 'token' },
        { label: 'User name and password', auth: 'basic' },
      ];
  const kind = await vscode.window.showQuickPick(kinds, { title: `${url} needs credentials`, ignoreFocusOut: true });
  if (!kind) return undefined;
  let sshKey: string | undefined;
  if (kind.auth === 'ssh') {
    sshKey = await vscode.window.showInputBox({ title: 'Private key file', value: path.join(os.homedir(), '.ssh', 'id_ed25519'), ignoreFocusOut: true });
    if (!sshKey) return undefined;
  }
  const entered = await promptCredentials({ name: nameFromUrl(url), url, auth: kind.auth });
  if (!entered) return undefined;
  const refs = await run({ auth: kind.auth, sshKey, credentials: entered.credentials });
  return { refs, auth: kind.auth, sshKey, entered };
}

type RefChoice = Pick<RepositoryEntry, 'branch' | 'tag'>;

function pickRef(prompts: Prompts, refs: RemoteRefs, title: string): Promise<RefChoice | undefined> {
  const branches = [...refs.branches.keys()].sort((a, b) => (a === refs.defaultBranch ? -1 : b === refs.defaultBranch ? 1 : a.localeCompare(b)));
  const tags = [...refs.tags.keys()].sort().reverse();
  const items: PickItem<RefChoice | undefined>[] = [
    separator('Branches'),
    ...branches.map((b) => ({ label: `$(git-branch) ${b}`, description: b === refs.defaultBranch ? 'default branch' : refs.branches.get(b)!.slice(0, 8), value: { branch: b } })),
    separator('Tags'),
    ...tags.map((t) => ({ label: `$(tag) ${t}`, description: refs.tags.get(t)!.slice(0, 8), value: { tag: t } })),
  ];
  return prompts.pick(title, items, 'Branch to follow or tag to pin');
}

export function repositoryCommands(controller: RepositoriesController, log: vscode.LogOutputChannel, documents: HistoryDocuments, prompts: Prompts) {
  const sync = trusted('Syncing a repository', async (arg: RepositoryArg): Promise<SyncResult | undefined> => {
    const repository = await pickRepository(controller, arg, 'Sync repository');
    return repository && controller.sync(repository, 'manual').catch(() => undefined);
  });

  const updateCredentials = async (arg: RepositoryArg): Promise<boolean> => {
    const repository = await pickRepository(controller, arg, 'Update credentials');
    if (!repository) return false;
    if (repository.auth === 'none') {
      void vscode.window.showInformationMessage(`${repository.name} uses no authentication (auth: none). Set auth in airflow-repos.yaml first.`);
      return false;
    }
    const entered = await promptCredentials(repository);
    if (!entered) return false;
    await controller.credentials.set(entered.scope, entered.credentials);
    log.info(`[${repository.name}] credentials updated`);
    await controller.sync(repository, 'manual').catch(() => undefined); // rotation: replace the secret, then retry
    return true;
  };

  return {
    'hangar.addRepository': trusted('Adding a repository', async (args?: AddRepositoryArgs): Promise<SyncResult | undefined> => {
      let entry: RepositoryEntry;
      let entered: { scope: CredentialScope; credentials: GitCredentials } | undefined;
      if (!vscode.workspace.workspaceFolders?.length) {
        void vscode.window.showErrorMessage('Open the folder that holds (or will hold) airflow-repos.yaml first.');
        return undefined;
      }
      if (args && typeof args === 'object' && typeof args.url === 'string') {
        const { sync: _sync, ...rest } = args;
        entry = rest;
      } else {
        const steps = (n: number, what: string): string => `Add Repository (${n}/${ADD_STEPS}): ${what}`;
        const url = await prompts.input(steps(1, 'clone URL'), 'The Git URL of the repository that holds your DAGs', {
          placeholder: 'https://git.example.com/team/dags.git, git@host:team/dags.git or a local path',
          validate: (v) => {
            const problem = v.trim() ? gitUrlProblem(v.trim(), path.dirname(controller.configFile)) : 'is empty';
            return problem && `The URL ${problem}`;
          },
        });
        if (!url) return undefined;
        const remote = await listRemote(resolveConfiguredUrl(url.trim(), path.dirname(controller.configFile)));
        if (!remote) return undefined;
        const ref = await pickRef(prompts, remote.refs, steps(2, 'branch or tag'));
        if (!ref) return undefined;
        const name = await prompts.input(steps(3, 'name'), 'Name of the repository in airflow-repos.yaml (also the folder its DAGs are deployed under)', {
          value: nameFromUrl(url),
          validate: (v) => (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v) ? (controller.find(v) ? 'That name is taken' : undefined) : "Letters, digits, '.', '_' and '-'"),
        });
        if (!name) return undefined;
        entry = { name, url: url.trim(), ...ref, ...(remote.auth !== 'none' ? { auth: remote.auth } : {}), ...(remote.sshKey ? { ssh_key: remote.sshKey } : {}) };
        // Credentials entered "for this repository" are kept under the name the user finally chose.
        entered = remote.entered && { scope: remote.entered.scope.kind === 'host' ? remote.entered.scope : { kind: 'repository', name }, credentials: remote.entered.credentials };
      }
      entry.url = resolveConfiguredUrl(entry.url, path.dirname(controller.configFile));
      await editConfig(controller, (document) => addRepositoryEntry(document, entry));
      const repository = controller.find(entry.name);
      if (!repository) throw new Error(`${entry.name} was written to airflow-repos.yaml but has errors there; see the Problems view.`);
      if (entered) await controller.credentials.set(entered.scope, entered.credentials);
      log.info(`[${entry.name}] added to ${controller.configFile}`);
      if (args?.sync === false) return undefined;
      return controller.sync(repository, 'manual').catch(() => undefined);
    }),

    'hangar.removeRepository': async (arg: RepositoryArg): Promise<boolean> => {
      const repository = await pickRepository(controller, arg, 'Remove repository');
      if (!repository) return false;
      const choice = await vscode.window.showWarningMessage(
        `Remove ${repository.name} from airflow-repos.yaml?`,
        { modal: true, detail: `The local clone is in ${controller.cloneDir(repository)}.` },
        'Remove',
        'Remove and Delete Clone',
      );
      if (!choice) return false;
      await editConfig(controller, (document) => removeRepositoryEntry(document, repository.name));
      if (choice === 'Remove and Delete Clone') {
        // Only a clone Hangar made, with no local change, is deleted; anything else stays where it is.
        const kept = await removeClone(controller.cloneDir(repository), { git: new GitClient({ access: { auth: 'none' } }), adopt: !repository.path }).catch((error: Error) => error);
        if (kept) void vscode.window.showWarningMessage(`${repository.name} was removed from airflow-repos.yaml. ${kept.message}`);
        else await controller.store.forget(repository.name);
      }
      controller.reload();
      return true;
    },

    'hangar.editRepository': async (arg: RepositoryArg): Promise<void> => {
      const repository = await pickRepository(controller, arg, 'Repository settings');
      if (!repository) return;
      const field = await vscode.window.showQuickPick(
        [
          { label: 'Branch or tag', description: describeRef(repository.ref), id: 'ref' },
          { label: 'Priority', description: String(repository.priority), id: 'priority' },
          { label: 'Namespace', description: repository.namespace, id: 'namespace' },
          { label: 'DAGs folder', description: repository.dagsPath || '.', id: 'dags_path' },
          { label: 'Sync interval', description: repository.syncIntervalMs ? `${repository.syncIntervalMs / 1000}s` : 'off', id: 'sync_interval' },
          { label: 'Authentication', description: repository.auth, id: 'auth' },
          { label: 'Open airflow-repos.yaml', id: 'open' },
        ],
        { title: `${repository.name} settings` },
      );
      if (!field) return;
      let changes: Partial<RepositoryEntry> | undefined;
      if (field.id === 'open') {
        await vscode.window.showTextDocument(vscode.Uri.file(controller.configFile));
        return;
      } else if (field.id === 'ref') {
        if (!requireTrust('Listing the branches and tags of a remote')) return;
        changes = await pickRef(prompts, await new GitClient({ access: await controller.access(repository, true) }).lsRemote(repository.url), `${repository.name}: branch or tag`);
      } else if (field.id === 'auth') {
        const auth = await vscode.window.showQuickPick(['none', 'token', 'basic', 'ssh'], { title: 'Authentication' });
        changes = auth ? { auth: auth as RepositoryEntry['auth'] } : undefined;
      } else {
        const value = await vscode.window.showInputBox({
          title: `${repository.name}: ${field.label}`,
          value: field.id === 'priority' ? String(repository.priority) : field.description === 'off' ? '' : field.description,
          validateInput: (v) => (field.id === 'priority' && !/^-?\d+$/.test(v) ? 'An integer' : undefined),
        });
        if (value === undefined) return;
        changes = { [field.id]: field.id === 'priority' ? Number(value) : value } as Partial<RepositoryEntry>;
      }
      if (changes) await editConfig(controller, (document) => updateRepositoryEntry(document, repository.name, changes!));
    },

    'hangar.syncRepository': sync,

    'hangar.syncAll': trusted('Syncing repositories', async (): Promise<SyncResult[]> => {
      const results: SyncResult[] = [];
      for (const repository of controller.repositories) {
        const result = await controller.sync(repository, 'manual').catch(() => undefined);
        if (result) results.push(result);
      }
      return results;
    }),

    'hangar.updateCredentials': updateCredentials,

    'hangar.listCredentials': async (): Promise<string[]> => {
      const keys = controller.credentials.keys();
      if (keys.length === 0) {
        void vscode.window.showInformationMessage('Hangar has no stored Git credentials.');
        return keys;
      }
      const chosen = await vscode.window.showQuickPick(
        keys.map((key) => ({ label: key.replace(/^(repository|host):/, ''), description: key.startsWith('host:') ? 'every repository on this host' : 'repository', key })),
        { title: 'Stored Git credentials (values are never shown)', placeHolder: 'Select credentials to delete', canPickMany: true },
      );
      for (const item of chosen ?? []) await controller.credentials.delete(item.key);
      if (chosen?.length) log.info(`deleted ${chosen.length} stored credential(s)`);
      return controller.credentials.keys();
    },

    'hangar.showSyncHistory': async (arg: RepositoryArg): Promise<SyncHistoryEntry[]> => {
      const repository = await pickRepository(controller, arg, 'Sync history');
      if (!repository) return [];
      const name = repository.name;
      await documents.show(HistoryDocuments.uri('sync', name), () => renderSyncHistory(controller.find(name) ?? repository, controller.store.history(name)));
      return controller.store.history(name);
    },

    'hangar.revealRepository': async (arg: RepositoryArg): Promise<void> => {
      const repository = await pickRepository(controller, arg, 'Reveal repository');
      if (!repository) return;
      const uri = vscode.Uri.file(controller.cloneDir(repository));
      // Clones under .hangar/ are hidden from the Explorer (files.exclude): those are revealed in the OS.
      const inExplorer = vscode.workspace.getWorkspaceFolder(uri) !== undefined && !uri.fsPath.split(path.sep).includes('.hangar');
      if (inExplorer) return void (await vscode.commands.executeCommand('revealInExplorer', uri));
      // A browser or remote workbench has no OS file manager to reveal in: offer the clone as a window of its own.
      if ((await vscode.commands.getCommands(true)).includes('revealFileInOS')) return void (await vscode.commands.executeCommand('revealFileInOS', uri));
      const choice = await vscode.window.showInformationMessage(`The clone of ${repository.name} is at ${uri.fsPath}, outside the Explorer.`, 'Open in New Window', 'Copy Path');
      if (choice === 'Open in New Window') await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      if (choice === 'Copy Path') await vscode.env.clipboard.writeText(uri.fsPath);
    },

    'hangar.openRepositoryOnRemote': async (arg: RepositoryArg): Promise<void> => {
      const repository = await pickRepository(controller, arg, 'Open on remote');
      if (!repository) return;
      const web = repository.url
        .replace(/^[\w.-]+@([\w.-]+):/, 'https://$1/')
        .replace(/^ssh:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\//, 'https://$1/')
        .replace(/\.git$/, '');
      if (!/^https?:\/\//.test(web)) {
        void vscode.window.showInformationMessage(`${repository.name} is a local repository (${repository.url}); it has no web page.`);
        return;
      }
      await vscode.env.openExternal(vscode.Uri.parse(web));
    },
  };
}
