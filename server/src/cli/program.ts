import { Command } from 'commander';
import { printable } from '../printable';
import { version } from '../version';

export type Register = (program: Command) => void;

/** A command group: its name and a loader of its module, which registers the group's commands. */
export type CommandGroup = readonly [string, () => Promise<Register>];

/** Runs the `hangar` command line with these command groups, in help order. */
export function runHangar(groups: readonly CommandGroup[]): void {
  const run = async (): Promise<void> => {
    const program = new Command()
      .name('hangar')
      .description('Validate, sync and deploy Apache Airflow DAGs from Git.')
      .version(version);
    for (const [, load] of groups) (await load())(program);
    await program.parseAsync(process.argv);
  };
  run().catch((error: unknown) => {
    console.error(printable(`hangar: ${error instanceof Error ? error.message : String(error)}`));
    process.exitCode = 2;
  });
}
