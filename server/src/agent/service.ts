import { Agent } from './agent';
import { createAgentServer } from './httpServer';
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
}

const stamp = (line: string): string => `${new Date().toISOString()} ${line}`;

/** Runs the agent until SIGINT/SIGTERM, then stops taking deliveries and lets the running syncs finish. */
export async function startAgentService(options: AgentServiceOptions): Promise<void> {
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
    log: (line) => console.log(stamp(line)),
  });
  const server = createAgentServer(agent, { secrets, maxBodyBytes: options.maxBodyBytes, stateDir: options.storageDir });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, options.bind, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  console.log(stamp(`hangar agent listening on http://${options.bind}:${port} (webhooks: ${enabled.join(', ')}; deploys to: ${options.environment ?? 'none'})`));
  const shutdown = (signal: string): void => {
    console.log(stamp(`${signal}: finishing running syncs, then exiting`));
    server.close();
    void agent.stop().then(() => {
      console.log(stamp('stopped'));
      process.exit(0);
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT')).once('SIGTERM', () => shutdown('SIGTERM'));
}
