import { InvalidArgumentError, type Command } from 'commander';
import path from 'node:path';
import { startAgentService } from '../agent/service';
import { serveMarketplace, withMarketplaceServeOptions, type MarketplaceServeOptions } from './market';

interface ServeOptions extends MarketplaceServeOptions {
  marketplace?: boolean;
  env?: string;
  state: string;
  maxBody: string;
  jobs: number;
  lease: number;
  canaryTick: number;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of seconds (0 turns it off).');
  return n;
}

function atLeastOne(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
}

const SECRETS_HELP = `
Webhook agent secrets come from the environment (or NAME_FILE naming a file), never from arguments:
  HANGAR_GITHUB_WEBHOOK_SECRET   enables POST /webhooks/github (X-Hub-Signature-256)
  HANGAR_GITLAB_WEBHOOK_TOKEN    enables POST /webhooks/gitlab (X-Gitlab-Token)
  HANGAR_HOOK_TOKEN              enables POST /hooks/sync/{repo} (Authorization: Bearer)
  HANGAR_GITHUB_API_TOKEN, HANGAR_GITLAB_API_TOKEN   commit status + comment on pull/merge requests
Git and Airflow credentials: the same variables as hangar repos sync and hangar deploy.

Fleet mode (several agents sharing one queue): set HANGAR_DATABASE_URL=postgresql://USER@HOST:PORT/DB,
or the standard PGHOST/PGPORT/PGUSER/PGDATABASE (password: PGPASSWORD or PGPASSFILE).
With --marketplace, the same variables keep the marketplace's data in PostgreSQL instead of --db, so several
replicas can serve it (hangar market admin migrate-sqlite copies an existing SQLite file there).`;

/** `hangar serve`: the webhook agent, or with --marketplace the marketplace service. */
export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the webhook agent (sync, validate and deploy on push) or, with --marketplace, the marketplace service')
    .option('--env <name>', 'environment a push to a tracked branch is deployed to (default: sync and validate only)')
    .option('--port <n>', 'port to listen on', '8765')
    .option('--bind <address>', 'address to listen on', '127.0.0.1')
    .option('--state <dir>', 'folder for sync state, history and clones', '.hangar-agent')
    .option('--max-body <bytes>', 'largest webhook body accepted', String(1024 * 1024))
    .option('--github-api-url <url>', 'GitHub API root for pull request statuses', 'https://api.github.com')
    .option('--gitlab-api-url <url>', 'GitLab API root for merge request statuses', 'https://gitlab.com/api/v4')
    .option('--jobs <n>', 'fleet mode: jobs this agent runs at once', atLeastOne, 4)
    .option('--lease <seconds>', 'fleet mode: an agent silent this long loses its running jobs to the others', atLeastOne, 30)
    .option('--canary-tick <seconds>', "with --env: how often the agent runs the environment's canary tick (0: never)", seconds, 30)
    .addHelpText('after', SECRETS_HELP);
  withMarketplaceServeOptions(serve).action(async (options: ServeOptions & { githubApiUrl: string; gitlabApiUrl: string }) => {
    if (options.marketplace) return serveMarketplace(options);
    await startAgentService({
      configFile: path.resolve(options.config ?? 'airflow-repos.yaml'),
      ...(options.env ? { environment: options.env } : {}),
      storageDir: path.resolve(options.state),
      port: Number(options.port),
      bind: options.bind,
      maxBodyBytes: Number(options.maxBody),
      githubApiUrl: options.githubApiUrl,
      gitlabApiUrl: options.gitlabApiUrl,
      jobs: options.jobs,
      leaseSeconds: options.lease,
      canaryTickSeconds: options.canaryTick,
    });
  });
}
