import writeFileAtomic from 'write-file-atomic';
import { isMap, isSeq, type Document } from 'yaml';
import { loadConfigFile } from './load';
import { formatConfigError } from './types';

/** A repository entry as written in airflow-repos.yaml (snake_case keys, as the user reads them). */
export interface RepositoryEntry {
  name: string;
  url: string;
  branch?: string;
  tag?: string;
  commit?: string;
  priority?: number;
  namespace?: string;
  dags_path?: string;
  auth?: 'none' | 'token' | 'basic' | 'ssh';
  username?: string;
  ssh_key?: string;
  sync_interval?: string;
  path?: string;
}

function indexOf(document: Document, name: string): number {
  const seq = document.get('repositories', true);
  if (!isSeq(seq)) return -1;
  return seq.items.findIndex((item) => isMap(item) && item.get('name') === name);
}

/** Appends a repository; comments and formatting of the rest of the file are kept. */
export function addRepositoryEntry(document: Document, entry: RepositoryEntry): void {
  if (indexOf(document, entry.name) >= 0) throw new Error(`A repository named "${entry.name}" is already configured; choose another name.`);
  const clean = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined && v !== ''));
  if (document.contents === null) document.contents = document.createNode({ repositories: [clean] }) as never;
  else if (isSeq(document.get('repositories', true))) document.addIn(['repositories'], document.createNode(clean));
  else document.set('repositories', document.createNode([clean]));
}

export function removeRepositoryEntry(document: Document, name: string): void {
  const index = indexOf(document, name);
  if (index < 0) throw new Error(`No repository named "${name}" in airflow-repos.yaml.`);
  document.deleteIn(['repositories', index]);
}

/** Sets the given fields (undefined removes one); a ref change drops the other ref kinds. */
export function updateRepositoryEntry(document: Document, name: string, changes: Partial<RepositoryEntry>): void {
  const index = indexOf(document, name);
  if (index < 0) throw new Error(`No repository named "${name}" in airflow-repos.yaml.`);
  const refKinds = ['branch', 'tag', 'commit'] as const;
  const newRef = refKinds.find((k) => changes[k] !== undefined);
  for (const kind of refKinds) if (newRef && kind !== newRef) document.deleteIn(['repositories', index, kind]);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') document.deleteIn(['repositories', index, key]);
    else document.setIn(['repositories', index, key], value);
  }
}

/** Writes the edited document, unless the edit itself made the file invalid (its errors are thrown, located). */
export async function saveConfigDocument(file: string, document: Document): Promise<void> {
  const text = document.toString();
  const before = new Set(loadConfigFile(file).errors.map(formatConfigError));
  const introduced = loadConfigFile(file, text).errors.map(formatConfigError).filter((e) => !before.has(e));
  if (introduced.length) throw new Error(`The change was not saved because it makes ${file} invalid:\n${introduced.join('\n')}`);
  await writeFileAtomic(file, text);
}
