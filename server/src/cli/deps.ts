import type { Command } from 'commander';
import path from 'node:path';
import { checkDependencies, DEPENDENCY_RULES } from '../deps/check';
import { repositoryRoot } from '../deps/root';
import { choosePython, describeEnvironment } from '../pyenv/environment';
import { mightContainDag, resolveCheckFiles } from './dagFiles';

/** `hangar deps check`: the DAGs' imports and declared requirements against an Airflow environment's packages. */
export function registerDeps(program: Command): void {
  const deps = program.command('deps').description('check DAG dependencies against an Airflow environment');
  deps
    .command('check')
    .argument('[path]', 'repository, folder or DAG file', '.')
    .option('--python <path>', 'interpreter of the Airflow environment (default: HANGAR_PYTHON, then python3)')
    .option('--json', 'print the findings as JSON')
    .action(async (target: string, options: { python?: string; json?: boolean }) => {
      const env = await describeEnvironment(choosePython(options.python));
      const root = repositoryRoot(target);
      const files = resolveCheckFiles([target], process.cwd()).filter(mightContainDag);
      const findings = await checkDependencies({ root, files, env });
      if (options.json) {
        console.log(JSON.stringify({ python: env.python, airflow: env.airflow ?? null, files: files.length, findings }, null, 2));
      } else {
        for (const f of findings) {
          console.log(`${path.relative(process.cwd(), f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.ruleId} [${DEPENDENCY_RULES[f.ruleId as keyof typeof DEPENDENCY_RULES].name}] ${f.message}`);
        }
        console.log(`${files.length} DAG file(s) checked against ${env.python} (Airflow ${env.airflow ?? 'not installed'}): ${findings.length} finding(s)`);
      }
      if (findings.some((f) => f.severity === 'error')) process.exitCode = 1;
    });
}
