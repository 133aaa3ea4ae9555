/**
 * Every benchmark `npm run bench` knows. Add yours with one line: `name: () => import('./name.bench'),`
 * where test/bench/name.bench.ts default-exports a `Bench` (see bench.ts).
 */
import type { Bench } from './bench';

export const benches: Record<string, () => Promise<{ default: Bench }>> = {
  check: () => import('./check.bench'),
  market: () => import('./market.bench'),
  lsp: () => import('./lsp.bench'),
  agent: () => import('./agent.bench'),
  testing: () => import('./testing.bench'),
  sync: () => import('./sync.bench'),
  deploy: () => import('./deploy.bench'),
  fleet: () => import('./fleet.bench'),
  'market-replicas': () => import('./marketReplicas.bench'),
  accuracy: () => import('./accuracy.bench'),
  landing: () => import('./landing.bench'),
  verify: () => import('./verify.bench'),
};
