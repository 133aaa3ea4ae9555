import { MarketServiceClient } from '../market/serviceClient';

/** Prints `data` as JSON with --json, else the text. */
export const print = (options: { json?: boolean }, data: unknown, text: () => string): void => {
  console.log(options.json ? JSON.stringify(data, null, 2) : text());
};

/** Service URL from HANGAR_MARKET_URL and token from HANGAR_MARKET_TOKEN: the token is never taken from argv. */
export function service(): MarketServiceClient | undefined {
  const url = process.env.HANGAR_MARKET_URL;
  return url ? new MarketServiceClient(url, process.env.HANGAR_MARKET_TOKEN) : undefined;
}

export function requireService(): MarketServiceClient {
  const client = service();
  if (!client) throw new Error('no marketplace service configured: set HANGAR_MARKET_URL (and HANGAR_MARKET_TOKEN for writes)');
  if (!process.env.HANGAR_MARKET_TOKEN) throw new Error('writing to the marketplace service needs a token: set HANGAR_MARKET_TOKEN (ask the admin for one)');
  return client;
}
