import path from 'node:path';
import { DEFAULT_CONFIG, loadConfigFor, type HangarConfig } from '../analysis/config';
import { catalog } from '../analysis/rules/catalog';
import { checkInBackground } from '../cli/checkPool';
import type { FileState } from './types';

const MAX_MESSAGES = 5;

/** Python files under the DAGs folder are what Airflow parses. */
export function isDagFile(file: string, dagsPath: string): boolean {
  return file.endsWith('.py') && (!dagsPath || file.startsWith(`${dagsPath}/`));
}

/** The repository's own `[tool.hangar]` / hangar.toml settings, minus the security rules when its security_scan is off. */
function configFor(file: string, securityScan: boolean): HangarConfig {
  let config: HangarConfig;
  try {
    config = loadConfigFor(file);
  } catch {
    config = DEFAULT_CONFIG; // a broken rule config must not stop a sync; the editor reports it on the file itself
  }
  if (securityScan) return config;
  return { ...config, ignore: [...config.ignore, ...catalog.filter((r) => r.family === 'security').map((r) => r.id)] };
}

/**
 * Runs the analysis engine over DAG files of a checkout, on worker threads with the size limit of every analysis:
 * findings per severity and the DAG ids each defines.
 */
export async function validateFiles(
  root: string,
  files: readonly string[],
  options: { securityScan: boolean; signal?: AbortSignal },
): Promise<Map<string, FileState>> {
  const checked = await checkInBackground(
    files,
    (batch) => batch.map((file) => ({ file: path.join(root, file), path: file, config: configFor(path.join(root, file), options.securityScan) })),
    options.signal ? { signal: options.signal } : {},
  );
  return new Map(
    checked.map(({ path: file, findings, dagIds }): [string, FileState] => [
      file,
      {
        dagIds: [...dagIds],
        errors: findings.filter((f) => f.severity === 'error').length,
        warnings: findings.filter((f) => f.severity === 'warning').length,
        messages: findings.slice(0, MAX_MESSAGES).map((f) => `${f.range.start.line + 1}: ${f.ruleId} ${f.message}`),
      },
    ]),
  );
}
