import { Command } from 'commander';
import { catalog } from '../analysis/rules/catalog';
import { ruleTableMarkdown } from '../analysis/rules/ruleTable';

/** `hangar rules`: the catalog as a list, a markdown table (the README's) or JSON; `hangar rules ID` prints one doc. */
export function registerRules(program: Command): void {
  program
    .command('rules')
    .description('List the analysis rules (ids, names, default severity), or show one rule\'s documentation.')
    .argument('[rule]', 'a rule id or name to document')
    .option('--markdown', 'print the README rule table')
    .option('--json', 'print the catalog as JSON')
    .action((which: string | undefined, options: { markdown?: boolean; json?: boolean }) => {
      if (which) {
        const rule = catalog.find((r) => r.id === which.toUpperCase() || r.name === which);
        if (!rule) {
          process.stderr.write(`hangar rules: unknown rule "${which}"\n`);
          process.exitCode = 2;
          return;
        }
        process.stdout.write(`${rule.id} ${rule.name} (${rule.severity}${rule.safeFix ? ', safe fix' : ''})\n${rule.title}\n\n${rule.doc}\n\nReference: ${rule.reference}\n`);
      } else if (options.markdown) {
        process.stdout.write(ruleTableMarkdown());
      } else if (options.json) {
        process.stdout.write(JSON.stringify(catalog.map(({ check: _check, ...rule }) => rule), null, 2) + '\n');
      } else {
        for (const rule of catalog) process.stdout.write(`${rule.id}  ${rule.name.padEnd(32)} ${rule.severity.padEnd(8)} ${rule.title}\n`);
      }
    });
}
