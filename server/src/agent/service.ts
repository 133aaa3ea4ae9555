import { openDatabase } from '../db/pool';
import { databaseSettings, scrub } from '../db/settings';
import { Agent } from './agent';
import { Fleet } from './fleet/fleet';
import { createAgentServer } from './httpServer';
import { printable } from '../printable';
import { secretsFromEnv } from './secrets';

export interface AgentServiceOptions {
  readonly configFile: string;
  readonly environment?: string;
  readonly storageDir: string;
  readonly port: number;
  readonly bind: string;
  readonly maxBodyBytes: number;
  readonly githubApiUrl: string;
  readonly gitlabApiUrl: string;
  /** Fleet mode: jobs this agent runs at once. */
  readonly jobs: number;
  /** Fleet mode: seconds after which a silent agent's jobs go to another agent. */
  readonly leaseSeconds: number;
  /** Seconds between two canary ticks of the environment (0: none). */
  readonly canaryTickSeconds?: number;
}

/** Fleet mode: a job still running after this long is failed and retried by pg-boss, whatever its agent says. */
const JOB_EXPIRY_SECONDS = 3600;

const stamp = (line: string): string => `${new Date().toISOString()} ${line}`;

/**
 * Runs the agent until SIGINT/SIGTERM, then stops taking deliveries and lets the running syncs finish. With a
 * database in the environment (HANGAR_DATABASE_URL or PG*), the agent joins the fleet that shares it.
 */
export async function startAgentService(options: AgentServiceOptions): Promise<void> {
  const database = databaseSettings();
  // One event per line: what Airflow, a webhook or a repository put in a line cannot forge another or reach a terminal.
  const log = (line: string): void => console.log(stamp(printable(database ? scrub(line, database) : line, { oneLine: true })));
  const secrets = secretsFromEnv();
  const enabled = [secrets.githubWebhookSecret && 'github', secrets.gitlabWebhookToken && 'gitlab', secrets.hookToken && 'generic'].filter(Boolean);
  if (!enabled.length) {
    throw new Error('no webhook is enabled: set HANGAR_GITHUB_WEBHOOK_SECRET, HANGAR_GITLAB_WEBHOOK_TOKEN or HANGAR_HOOK_TOKEN (or their _FILE variants)');
  }
  const agent = new Agent({
    configFile: options.configFile,
    ...(options.environment ? { environment: options.environment } : {}),
    storageDir: options.storageDir,
    hostApis: {
      ...(secrets.githubApiToken ? { github: { url: options.githubApiUrl, token: secrets.githubApiToken } } : {}),
      ...(secrets.gitlabApiToken ? { gitlab: { url: options.gitlabApiUrl, token: secrets.gitlabApiToken } } : {}),
    },
    log,
  });
  let fleet: Fleet | undefined;
  if (database) {
    const db = await openDatabase(database, { applicationName: 'hangar-agent', max: 2 * options.jobs + 4, log });
    fleet = await Fleet.start(agent, {
      database: db,
      ...(options.environment ? { environment: options.environment } : {}),
      slots: options.jobs,
      leaseSeconds: options.leaseSeconds,
      retry: { attempts: 4, backoffMs: 2_000, expireSeconds: JOB_EXPIRY_SECONDS },
      log,
    }).catch(async (error: unknown) => {
      await db.close();
      throw error;
    });
    agent.attach(fleet);
  }
  const server = createAgentServer(agent, { secrets, maxBodyBytes: options.maxBodyBytes, stateDir: options.storageDir, ...(fleet ? { intake: fleet } : {}) });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, options.bind, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const mode = fleet ? `fleet agent ${fleet.id} on PostgreSQL at ${database!.where}, ${options.jobs} job(s) at once` : `state in ${options.storageDir}`;
  log(`hangar agent listening on http://${options.bind}:${port} (webhooks: ${enabled.join(', ')}; deploys to: ${options.environment ?? 'none'}; ${mode})`);
  const canaryTick = options.environment && options.canaryTickSeconds ? setInterval(() => void agent.tickCanaries(), options.canaryTickSeconds * 1000) : undefined;
  const shutdown = (signal: string): void => {
    log(`${signal}: finishing running syncs, then exiting`);
    clearInterval(canaryTick);
    server.close();
    void agent.stop().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log(`stopped with an error: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT')).once('SIGTERM', () => shutdown('SIGTERM'));
}
