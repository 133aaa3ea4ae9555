/**
 * Git's smart HTTP server for tests: `git http-backend` (CGI) behind a loopback Node HTTP server that demands
 * HTTP basic auth. Real git clients talk to it exactly as to a hosted remote.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  /** `http://127.0.0.1:PORT` — repositories are `${url}/NAME.git`. */
  readonly url: string;
  /** One line per request (method, path, status); what a server log would hold. */
  readonly requests: string[];
  /** Every Authorization header received, decoded (`user:password` for Basic), kept in memory only: what an attacker's server would capture. */
  readonly authorizations: string[];
  close(): Promise<void>;
}

export interface GitHttpServerOptions {
  readonly projectRoot: string;
  readonly username: string;
  readonly password: string;
  /** Holds every authorized response that long (a slow remote, for cancellation tests). */
  readonly delayMs?: number;
  /** Answers every request with a 302 to the same path on this base URL (a remote that redirects elsewhere). */
  readonly redirectTo?: string;
}

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const requests: string[] = [];
  const authorizations: string[] = [];
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorization = req.headers.authorization;
    if (authorization) authorizations.push(authorization.startsWith('Basic ') ? Buffer.from(authorization.slice(6), 'base64').toString('utf8') : authorization);
    if (options.redirectTo) {
      requests.push(`${req.method} ${url.pathname} 302`);
      res.writeHead(302, { Location: `${options.redirectTo}${req.url ?? '/'}` }).end();
      return;
    }
    if (req.headers.authorization !== expected) {
      requests.push(`${req.method} ${url.pathname} 401`);
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="hangar-test"' }).end('Unauthorized\n');
      return;
    }
    requests.push(`${req.method} ${url.pathname} 200`);
    if (options.delayMs) setTimeout(() => runBackend(req, res, url, options), options.delayMs);
    else runBackend(req, res, url, options);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function runBackend(req: IncomingMessage, res: ServerResponse, url: URL, options: { projectRoot: string; username: string }): void {
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: options.projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_USER: options.username,
      REMOTE_ADDR: '127.0.0.1',
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  child.on('close', () => res.end());
  child.on('error', () => res.writeHead(500).end());
}
