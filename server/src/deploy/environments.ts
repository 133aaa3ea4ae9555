import path from 'node:path';
import { formatConfigError, type EnvironmentConfig, type RepositoryConfig } from '../config/types';
import { loadConfigFile } from '../config/load';
import { cloneDirOf } from '../repos/sync';
import { defaultStorageDir } from '../repos/workspace';
import type { DeployRepository, Environment } from './types';

/** The deploy view of a repository: its local clone and DAG folder. */
export function deployRepository(repository: RepositoryConfig, storageDir: string, cloneRoot?: string): DeployRepository {
  return {
    name: repository.name,
    namespace: repository.namespace,
    path: cloneDirOf(repository, storageDir, cloneRoot),
    subdir: repository.dagsPath,
    priority: repository.priority,
    defaultRef: repository.ref.kind === 'default' ? 'HEAD' : repository.ref.name,
  };
}

/** The deploy view of an environment; `configDir` is the folder of its airflow-repos.yaml (the deployer's identity is read there). */
export function toEnvironment(config: EnvironmentConfig, repositories: readonly RepositoryConfig[], storageDir: string, cloneRoot?: string, configDir?: string): Environment {
  const selected = config.repositories.length ? repositories.filter((r) => config.repositories.includes(r.name)) : repositories;
  for (const name of config.repositories) {
    if (!repositories.some((r) => r.name === name)) throw new Error(`Environment "${config.name}" names repository "${name}", which airflow-repos.yaml does not declare.`);
  }
  if (config.target.kind === 'git' && selected.length !== 1) {
    throw new Error(`Environment "${config.name}" has a git target, which deploys exactly one repository: list it under the environment's repositories.`);
  }
  const target = config.target.kind === 'folder' ? { kind: 'folder' as const, path: config.target.path, keepReleases: config.target.keepReleases } : { kind: 'git' as const, url: config.target.url, branch: config.target.branch, auth: config.target.auth };
  return {
    name: config.name,
    ...(config.python ? { python: config.python } : {}),
    ...(configDir ? { configDir } : {}),
    target,
    ...(config.airflow ? { airflow: { url: config.airflow.url, version: config.airflow.version, ...(config.airflow.bundle ? { bundle: config.airflow.bundle } : {}) } } : {}),
    repositories: selected.map((r) => deployRepository(r, storageDir, cloneRoot)),
  };
}

/** Environments of an `airflow-repos.yaml`; clones live where `hangar repos sync` keeps them. */
export function loadEnvironments(file: string, storageDir = defaultStorageDir(file)): Environment[] {
  const config = loadConfigFile(file);
  if (!config.exists) throw new Error(`${file} does not exist; run hangar in the folder that holds airflow-repos.yaml or pass --config.`);
  // A repository entry with an error would silently be left out of an environment that deploys "all" of them.
  const blocking = config.errors.filter((e) => e.field === '' || /^(environments|repositories)\b/.test(e.field));
  if (blocking.length > 0) throw new Error(`${file} has errors; fix them first:\n${blocking.map(formatConfigError).join('\n')}`);
  return config.environments.map((e) => toEnvironment(e, config.repositories, storageDir, undefined, path.dirname(config.file)));
}

export function findEnvironment(environments: readonly Environment[], name: string): Environment {
  const env = environments.find((e) => e.name === name);
  if (!env) throw new Error(`No environment "${name}". Known: ${environments.map((e) => e.name).join(', ') || 'none (add an environments: list to airflow-repos.yaml)'}.`);
  return env;
}
