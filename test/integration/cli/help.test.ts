import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runHangar } from '../../support/cli';
import { REPO_ROOT } from '../../support/venv';

const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The subcommands a help text lists under "Commands:" (commander's own `help` left out). */
function subcommands(help: string): string[] {
  const section = help.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
  return [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
}

test('--help of every command, walked from the top-level help, exits 0 and describes it; --version of every group is the package version', async () => {
  const top = await runHangar(['--help']);
  assert.equal(top.code, 0, top.stderr);
  const groups = subcommands(top.stdout);
  assert.deepEqual(groups, ['check', 'rules', 'market', 'serve', 'deps', 'test', 'repos', 'deploy', 'rollback', 'promote', 'history', 'canary', 'diff']);
  const seen: string[] = [];
  const walk = async (command: string[]): Promise<void> => {
    const run = await runHangar([...command, '--help']);
    assert.equal(run.code, 0, `hangar ${command.join(' ')} --help: ${run.stderr}`);
    assert.match(run.stdout, new RegExp(`^Usage: hangar ${command.join(' ')} `), `hangar ${command.join(' ')} --help`);
    assert.match(run.stdout.split('\n\n')[1] ?? '', /\w/, `hangar ${command.join(' ')} has a description`);
    seen.push(command.join(' '));
    for (const sub of subcommands(run.stdout)) await walk([...command, sub]);
  };
  for (const group of groups) await walk([group]);
  assert.ok(seen.includes('market admin token revoke') && seen.includes('canary promote') && seen.includes('market verify') && seen.includes('repos history') && seen.includes('deps check'), seen.join(', '));

  for (const command of [[], ...groups.map((g) => [g])]) {
    const run = await runHangar([...command, '--version']);
    assert.deepEqual([run.code, run.stdout.trim()], [0, VERSION], `hangar ${command.join(' ')} --version`);
  }
});
