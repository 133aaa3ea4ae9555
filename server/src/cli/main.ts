import { Command } from 'commander';
import { version } from '../version';
import { printable } from '../printable';

type Register = (program: Command) => void;

/**
 * Each command group's module, in help order, imported only when needed: `hangar check` loads its own alone (the
 * other modules compile JSON Schemas and open libraries when loaded, which costs more than a cached check).
 */
const COMMAND_GROUPS: readonly (readonly [string, () => Promise<Register>])[] = [
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

async function main(): Promise<void> {
  const program = new Command()
    .name('hangar')
    .description('Validate, sync and deploy Apache Airflow DAGs from Git.')
    .version(version);
  const groups = process.argv[2] === 'check' ? COMMAND_GROUPS.slice(0, 1) : COMMAND_GROUPS;
  for (const [, load] of groups) (await load())(program);
  await program.parseAsync(process.argv);
}

main().catch((error: unknown) => {
  console.error(printable(`hangar: ${error instanceof Error ? error.message : String(error)}`));
  process.exitCode = 2;
});
