import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.join(__dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const contributes = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; configuration: { properties: Record<string, unknown> } };
}).contributes;

test('the README documents every command package.json declares', () => {
  assert.deepEqual(contributes.commands.map((c) => c.command).filter((id) => !readme.includes(`\`${id}\``)), []);
});

test('the README documents every setting package.json declares', () => {
  assert.deepEqual(Object.keys(contributes.configuration.properties).filter((key) => !readme.includes(key)), []);
});
