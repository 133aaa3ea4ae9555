import { Command } from 'commander';
import { version } from '../version';
import { registerCheck } from './check';
import { registerDeploy } from './deploy';
import { registerDiff } from './diff';
import { registerMarket } from './market';
import { registerServe } from './serve';
import { registerDeps } from './deps';
import { registerTest } from './test';
import { registerRepos } from './repos';
import { registerRules } from './rules';

const program = new Command()
  .name('hangar')
  .description('Validate, sync and deploy Apache Airflow DAGs from Git.')
  .version(version);

registerCheck(program);
registerRules(program);
registerMarket(program);
registerServe(program);
registerDeps(program);
registerTest(program);
registerRepos(program);
registerDeploy(program);
registerDiff(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`hangar: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
