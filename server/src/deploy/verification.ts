import path from 'node:path';
import type { AirflowCredentials } from '../airflow/client';
import { airflowClient } from '../airflow/endpoint';
import type { SourceFile } from '../airflow/importErrors';
import { verifyDeploy } from '../airflow/verify';
import { readBlobs } from './gitSource';
import type { DeployPlan, DeployService } from './service';
import type { HistoryRecord, VerificationResult } from './types';

export interface VerifyOptions {
  readonly credentials: AirflowCredentials;
  readonly reparse?: boolean;
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

/** Workspace files behind the manifest keys of a plan, for mapping Airflow's file names back. */
export function sourcesOf(plan: DeployPlan): SourceFile[] {
  return Object.keys(plan.manifest).map((key) => {
    const repo = plan.repositories.find((r) => key.startsWith(`${r.namespace}/`))!;
    return { key, repository: repo.name, file: path.join(repo.source.path, repo.source.subdir, key.slice(repo.namespace.length + 1)) };
  });
}

/** Reads the deployed content of a manifest key from the repository (cached per blob). */
function deployedText(plan: DeployPlan): (file: string) => Promise<string | undefined> {
  const cache = new Map<string, Promise<string | undefined>>();
  return (file) => {
    const entry = plan.manifest[file];
    const repo = plan.repositories.find((r) => file.startsWith(`${r.namespace}/`));
    if (!entry || !repo) return Promise.resolve(undefined);
    if (!cache.has(entry.blob)) cache.set(entry.blob, readBlobs(repo.source.path, [entry.blob]).then((texts) => texts.get(entry.blob)));
    return cache.get(entry.blob)!;
  };
}

/** Verifies an applied plan against the environment's Airflow and records the result in the history. */
export async function verifyAndRecord(service: DeployService, plan: DeployPlan, record: HistoryRecord, options: VerifyOptions): Promise<HistoryRecord> {
  const env = plan.environment;
  let verification: VerificationResult;
  if (!env.airflow) {
    verification = { status: 'skipped', message: `Environment "${env.name}" has no airflow.url; nothing was verified.`, visibleDags: [], missingDags: [], importErrors: [] };
  } else {
    const client = airflowClient(env.airflow, options.credentials);
    verification = await verifyDeploy({
      client,
      record,
      manifest: plan.manifest,
      changedFiles: plan.changedFiles,
      changedDags: plan.dagDiff.changed,
      excludedFiles: plan.repositories.flatMap((r) => r.excluded.map((f) => `${r.namespace}/${f}`)),
      sources: sourcesOf(plan),
      deployedText: deployedText(plan),
      ...(env.target.kind === 'git' ? { expectedBundleVersion: plan.repositories[0]!.commit } : { folder: true }),
      ...(env.airflow.bundle ? { bundle: env.airflow.bundle } : {}),
      ...(env.airflow.refreshIntervalMs !== undefined ? { refreshIntervalMs: env.airflow.refreshIntervalMs } : {}),
      reparse: options.reparse ?? true,
      timeoutMs: options.timeoutMs ?? 120_000,
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  }
  return service.recordVerification(env, record, verification);
}

/** Before anything changes: fails with the client's clear message when Airflow is unreachable or refuses the credentials. */
export async function checkAirflow(plan: DeployPlan, credentials: AirflowCredentials): Promise<void> {
  const airflow = plan.environment.airflow;
  if (!airflow) return;
  await airflowClient(airflow, credentials).checkConnection();
}
