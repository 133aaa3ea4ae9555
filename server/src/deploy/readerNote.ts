import path from 'node:path';
import { choosePython, describeEnvironment } from '../pyenv/environment';
import type { Environment } from './types';

/**
 * For a folder deploy, how the Airflow environment (the interpreter HANGAR_PYTHON names, else python3) reads the
 * namespace links: where its LocalDagBundle can pin a link once per refresh, the advice to use it; where it cannot,
 * that a scan spanning the switch can mix releases; nothing where no Airflow is found.
 */
export async function folderReaderNote(env: Environment, python = choosePython()): Promise<string | undefined> {
  const { target } = env;
  if (target.kind !== 'folder') return undefined;
  const described = await describeEnvironment(python).catch(() => undefined);
  if (!described?.airflow || described.localBundlePinsSymlink === undefined) return undefined;
  const links = env.repositories.map((r) => path.join(target.path, r.namespace)).join(', ');
  if (described.localBundlePinsSymlink) {
    return `Airflow ${described.airflow} can pin a link once per refresh: declare a LocalDagBundle with pin_symlink_on_refresh=True on ${links} and its DAG processor never mixes two releases in one scan (README: Deploy, Targets).`;
  }
  return `Airflow ${described.airflow} opens every file through ${links}: a DAG-processor scan that spans this switch can read files of both releases (README: Deploy, Targets).`;
}
