import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

const looksLikeRepository = (dir: string): boolean => existsSync(path.join(dir, '.git')) || existsSync(path.join(dir, 'dags'));

/** Folders DAGs can be installed into: each workspace folder that is a repository, and repositories one level below. */
export function repositoryFolders(): string[] {
  const found: string[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const root = folder.uri.fsPath;
    if (looksLikeRepository(root)) found.push(root);
    try {
      for (const child of readdirSync(root, { withFileTypes: true })) {
        const dir = path.join(root, child.name);
        if (child.isDirectory() && !child.name.startsWith('.') && looksLikeRepository(dir)) found.push(dir);
      }
    } catch {
      // unreadable folder: offer nothing from it
    }
  }
  return found;
}
