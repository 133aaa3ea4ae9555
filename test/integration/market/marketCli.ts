import path from 'node:path';
import { runHangar } from '../../support/cli';

/** Prints the process's peak resident memory to stderr as it exits, so a test can check memory stays bounded. */
const REPORT_PEAK_MEMORY = 'data:text/javascript,process.on("exit",()=>process.stderr.write(`\\npeak-rss-kb=${process.resourceUsage().maxRSS}\\n`))';

export interface HangarRun {
  stdout: string;
  stderr: string;
  code: number;
  /** Peak resident memory of the process in MB. */
  peakRssMb: number;
}

/**
 * Runs the bundled CLI as a user would, with the marketplace environment cleared (no service, no catalogs from
 * the environment) and caches and the installation id under `home`.
 */
export async function runMarketCli(home: string, args: string[], env: Record<string, string> = {}, options: { timeoutMs?: number } = {}): Promise<HangarRun> {
  const fullEnv = {
    ...process.env,
    HANGAR_MARKET_URL: '',
    HANGAR_MARKET_TOKEN: '',
    HANGAR_MARKET_CATALOGS: '',
    XDG_CACHE_HOME: path.join(home, 'xdg-cache'),
    XDG_CONFIG_HOME: path.join(home, 'xdg-config'),
    ...env,
  };
  const result = await runHangar(args, { cwd: home, env: fullEnv, nodeArgs: ['--import', REPORT_PEAK_MEMORY], timeoutMs: options.timeoutMs });
  const peak = /\npeak-rss-kb=(\d+)\n$/.exec(result.stderr);
  return { ...result, stderr: peak ? result.stderr.slice(0, peak.index) : result.stderr, peakRssMb: peak ? Number(peak[1]) / 1024 : Number.NaN };
}
