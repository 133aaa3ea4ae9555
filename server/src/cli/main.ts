import { runHangar, type CommandGroup } from './program';

/**
 * Each command group's module, in help order, imported only when needed: `hangar check` loads its own alone (the
 * other modules compile JSON Schemas and open libraries when loaded, which costs more than a cached check).
 */
const COMMAND_GROUPS: readonly CommandGroup[] = [
  ['check', async () => (await import('./check')).registerCheck],
  ['rules', async () => (await import('./rules')).registerRules],
  ['market', async () => (await import('./market')).registerMarket],
  ['serve', async () => (await import('./serve')).registerServe],
  ['deps', async () => (await import('./deps')).registerDeps],
  ['test', async () => (await import('./test')).registerTest],
  ['repos', async () => (await import('./repos')).registerRepos],
  ['deploy', async () => (await import('./deploy')).registerDeploy],
  ['canary', async () => (await import('./canary')).registerCanary],
  ['diff', async () => (await import('./diff')).registerDiff],
];

runHangar(process.argv[2] === 'check' ? COMMAND_GROUPS.slice(0, 1) : COMMAND_GROUPS);
