import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Agent } from '../../../server/src/agent/agent';
import { createAgentServer } from '../../../server/src/agent/httpServer';
import type { AgentSecrets } from '../../../server/src/agent/secrets';
import type { HostApi } from '../../../server/src/agent/reviewReporter';
import { freePort, waitFor } from '../../support/airflow';
import { createRemote, dagSource, tempDir, type TestRemote } from '../../support/gitRepos';

export const SECRETS: AgentSecrets = {
  githubWebhookSecret: 'gh-webhook-secret-for-tests',
  gitlabWebhookToken: 'gl-webhook-token-for-tests',
  hookToken: 'generic-hook-token-for-tests',
};

export interface RunningAgent {
  readonly agent: Agent;
  readonly url: string;
  readonly root: string;
  readonly dagsFolder: string;
  readonly remotes: Record<string, TestRemote>;
  readonly logs: string[];
  close(): Promise<void>;
}

/** `count` real Git remotes, an airflow-repos.yaml with a folder environment, and the real agent on 127.0.0.1. */
export async function startAgent(options: { repositories: string[]; hostApis?: { github?: HostApi }; retry?: { attempts: number; backoffMs: number } }): Promise<RunningAgent> {
  const root = tempDir('agent');
  const dagsFolder = path.join(root, 'airflow-dags');
  mkdirSync(dagsFolder, { recursive: true });
  const remotes: Record<string, TestRemote> = {};
  const lines = ['repositories:'];
  for (const name of options.repositories) {
    remotes[name] = createRemote(path.join(root, 'remotes'), name, { [`dags/${name}_dag.py`]: dagSource(`${name}_dag`) });
    lines.push(`  - name: ${name}`, `    url: file://${remotes[name].bare}`, '    branch: main', `    namespace: ${name}`, '    dags_path: dags');
  }
  lines.push('environments:', '  - name: prod', '    target:', '      kind: folder', `      path: ${dagsFolder}`, '      keep_releases: 3');
  const workspace = path.join(root, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const configFile = path.join(workspace, 'airflow-repos.yaml');
  writeFileSync(configFile, `${lines.join('\n')}\n`);
  const logs: string[] = [];
  const agent = new Agent({
    configFile,
    environment: 'prod',
    storageDir: path.join(root, 'state'),
    log: (line) => {
      logs.push(line);
      // Failures go to stderr too, so a failing run shows why a sync or deploy did not happen.
      if (/failed|error/i.test(line)) process.stderr.write(`agent: ${line}\n`);
    },
    retry: options.retry ?? { attempts: 3, backoffMs: 50 },
    ...(options.hostApis ? { hostApis: options.hostApis } : {}),
  });
  const server = createAgentServer(agent, { secrets: SECRETS, maxBodyBytes: 64 * 1024, stateDir: path.join(root, 'state') });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    agent,
    url: `http://127.0.0.1:${port}`,
    root,
    dagsFolder,
    remotes,
    logs,
    async close() {
      await agent.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A push event; `pushedAt` tells two pushes of one commit apart, as GitHub's `repository.pushed_at` does. */
export function githubPush(remote: TestRemote, after: string, pushedAt = 0): string {
  return JSON.stringify({ ref: 'refs/heads/main', after, repository: { clone_url: `file://${remote.bare}`, full_name: 'team/repo', pushed_at: pushedAt } });
}

export function sign(body: string, secret = SECRETS.githubWebhookSecret!): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await response.text();
  return { status: response.status, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

/** The commit each namespace link of the folder target serves, from the live release's metadata. */
export function liveCommit(dagsFolder: string, namespace: string): string | undefined {
  try {
    const release = path.basename(readlinkSync(path.join(dagsFolder, namespace)));
    return (JSON.parse(readFileSync(path.join(dagsFolder, '.hangar', 'releases', `${release}.json`), 'utf8')) as { commit: string }).commit;
  } catch {
    return undefined;
  }
}

export interface ServedAgent {
  readonly url: string;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (or `signal NAME`). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** `hangar serve` as a real process (the bundled CLI), listening on a free port of 127.0.0.1. */
export async function serveAgent(cli: string, args: readonly string[], env: Record<string, string>): Promise<ServedAgent> {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? `signal ${signal}`)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> => {
    child.kill(signal);
    return exited;
  };
  try {
    await waitFor('the agent to listen', () => output.includes('listening') || child.exitCode !== null, 60_000);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  if (child.exitCode !== null) throw new Error(`hangar serve exited at start:\n${output}`);
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, output: () => output, stop };
}
