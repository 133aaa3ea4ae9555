import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server on 127.0.0.1 that answers every request with `status` and a Location on `elsewhere`, and the host it points at. */
export interface RedirectTrap {
  /** The address to configure: every request to it is redirected. */
  readonly url: string;
  /** The host the redirects point at: a server of one's own may redirect there too. */
  readonly elsewhere: string;
  /** Every request that reached the host the redirects point at: method, path, headers and body. */
  readonly reachedElsewhere: string[];
  close(): Promise<void>;
}

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

export async function redirectTrap(status = 307): Promise<RedirectTrap> {
  const reachedElsewhere: string[] = [];
  const elsewhere = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      reachedElsewhere.push(`${request.method} ${request.url} ${JSON.stringify(request.headers)} ${body}`);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const elsewhereUrl = await listen(elsewhere);
  const redirector = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(status, { location: `${elsewhereUrl}${request.url}` }).end());
  });
  const url = await listen(redirector);
  return {
    url,
    elsewhere: elsewhereUrl,
    reachedElsewhere,
    close: async () => {
      await Promise.all([redirector, elsewhere].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
