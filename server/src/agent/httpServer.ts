import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { Agent } from './agent';
import { DeliveryLog, deliveryKey, localIntake } from './deliveries';
import { githubEvent, gitlabEvent, type AgentEvent } from './events';
import type { AgentSecrets } from './secrets';
import { tokensEqual, verifyGitHubSignature } from './signatures';
import type { Intake, Receipt } from './work';

export interface AgentServerOptions {
  readonly secrets: AgentSecrets;
  /** Largest accepted body; GitHub caps payloads at 25 MB, pushes are usually far smaller. */
  readonly maxBodyBytes?: number;
  readonly requestTimeoutMs?: number;
  /** Where the keys of recent deliveries are kept across restarts (`deliveries.json`); in memory only without it. */
  readonly stateDir?: string;
  /** Where deliveries go instead of the local log and queues (a fleet's database). */
  readonly intake?: Intake;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BODY = 1024 * 1024;
const KNOWN_ROUTES = new Set(['/healthz', '/status', '/metrics', '/webhooks/github', '/webhooks/gitlab']);

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `body larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8') || '{}');
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new HttpError(400, 'body is not a JSON object');
}

function repositoryName(escaped: string): string {
  try {
    return decodeURIComponent(escaped);
  } catch {
    throw new HttpError(400, `"${escaped}" is not a valid URL-encoded repository name`);
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(response: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? `${JSON.stringify(body)}\n` : String(body);
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(text);
}

/** The agent's HTTP front: authenticates deliveries, drops replays, answers at once and leaves the work to the agent. */
export function createAgentServer(agent: Agent, options: AgentServerOptions): Server {
  const intake = options.intake ?? localIntake(new DeliveryLog(options.stateDir && path.join(options.stateDir, 'deliveries.json')), (work) => agent.schedule(work));
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const { secrets } = options;
  agent.metrics.define('hangar_agent_http_requests_total', 'HTTP requests, by route and status.');

  /** `key` identifies the delivery by what authenticated it; `id` is the sender's delivery id, for the log only. */
  const deliver = async (source: string, key: string, id: string | undefined, event: AgentEvent, response: ServerResponse): Promise<void> => {
    const deliveryId = id ?? key.slice(0, 16);
    const decision = agent.decide(event);
    let receipt: Receipt;
    try {
      receipt = await intake.receive(key, decision.work);
    } catch (error) {
      agent.log(`could not record delivery ${deliveryId}: ${(error as Error).message}`);
      throw new HttpError(503, 'the agent could not record this delivery; nothing was started, send it again');
    }
    if (receipt.duplicateOf) {
      agent.metrics.increment('hangar_agent_deliveries_total', { source, outcome: 'duplicate' });
      send(response, 200, { status: 'duplicate', message: `this delivery was already received at ${receipt.duplicateOf.toISOString()}; ignored` });
      return;
    }
    agent.received(decision, { id: deliveryId, event: event.kind });
    agent.metrics.increment('hangar_agent_deliveries_total', { source, outcome: String(decision.status) });
    send(response, decision.status, { status: decision.status < 300 ? 'accepted' : 'rejected', message: decision.message, delivery: deliveryId });
  };

  const routes = async (request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> => {
    if (request.method === 'GET' && pathname === '/healthz') return send(response, 200, { status: 'ok' });
    if (request.method === 'GET' && pathname === '/status') {
      const fleet = await agent.fleetStatus();
      return send(response, 200, { repositories: await agent.snapshot(), ...(fleet ? { fleet } : {}) });
    }
    if (request.method === 'GET' && pathname === '/metrics') return send(response, 200, await agent.renderMetrics(), 'text/plain; version=0.0.4');
    const isHook = pathname === '/webhooks/github' || pathname === '/webhooks/gitlab' || pathname.startsWith('/hooks/sync/');
    if (!isHook) throw new HttpError(404, `no route ${pathname}`);
    if (request.method !== 'POST') throw new HttpError(405, `${pathname} takes POST`);

    if (pathname === '/webhooks/github') {
      if (!secrets.githubWebhookSecret) throw new HttpError(404, 'GitHub webhooks are not enabled: set HANGAR_GITHUB_WEBHOOK_SECRET');
      const body = await readBody(request, limit);
      if (!verifyGitHubSignature(secrets.githubWebhookSecret, body, header(request, 'x-hub-signature-256'))) {
        throw new HttpError(401, 'missing or wrong X-Hub-Signature-256');
      }
      // The signature covers the body only: the delivery id and event headers are not authenticated.
      const event = githubEvent(header(request, 'x-github-event'), parseJson(body));
      return deliver('github', deliveryKey('github', body), header(request, 'x-github-delivery'), event, response);
    }
    if (pathname === '/webhooks/gitlab') {
      if (!secrets.gitlabWebhookToken) throw new HttpError(404, 'GitLab webhooks are not enabled: set HANGAR_GITLAB_WEBHOOK_TOKEN');
      if (!tokensEqual(secrets.gitlabWebhookToken, header(request, 'x-gitlab-token'))) throw new HttpError(401, 'missing or wrong X-Gitlab-Token');
      const body = await readBody(request, limit);
      const id = header(request, 'x-gitlab-event-uuid') ?? header(request, 'idempotency-key');
      const event = gitlabEvent(header(request, 'x-gitlab-event'), parseJson(body));
      return deliver('gitlab', deliveryKey('gitlab', body, id), id, event, response);
    }
    if (!secrets.hookToken) throw new HttpError(404, 'generic hooks are not enabled: set HANGAR_HOOK_TOKEN');
    const auth = header(request, 'authorization');
    if (!tokensEqual(secrets.hookToken, auth?.startsWith('Bearer ') ? auth.slice(7) : undefined)) throw new HttpError(401, 'missing or wrong bearer token');
    const body = await readBody(request, limit);
    const name = repositoryName(pathname.slice('/hooks/sync/'.length));
    if (!agent.findRepository({ repositoryName: name })) throw new HttpError(404, `unknown repository "${name}"`);
    const id = header(request, 'x-delivery-id');
    // Without an id every call is a new "sync now" (a sync of the tracked branch is idempotent).
    return deliver('generic', deliveryKey('generic', body, name, id ?? randomUUID()), id, { kind: 'push', repositoryName: name }, response);
  };

  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://agent').pathname;
    routes(request, response, pathname)
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        send(response, status, { status: 'error', message: error instanceof HttpError ? error.message : 'internal error; see the agent log' });
        if (status === 413) request.destroy();
      })
      .finally(() => {
        const route = pathname.startsWith('/hooks/sync/') ? '/hooks/sync' : KNOWN_ROUTES.has(pathname) ? pathname : 'other';
        agent.metrics.increment('hangar_agent_http_requests_total', { route, status: String(response.statusCode) });
      });
  });
  server.requestTimeout = options.requestTimeoutMs ?? 15_000;
  server.headersTimeout = Math.min(server.requestTimeout, 10_000);
  return server;
}
