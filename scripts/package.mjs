// `npm run package`: builds the .vsix with @vscode/vsce (the production build runs just before this
// script). The bundles carry their dependencies, so node_modules stays out (--no-dependencies);
// .vscodeignore is the allow-list of what goes in.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { name, version, repository } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
// Relative links of the README (ARCHITECTURE.md, screenshots) resolve against the repository's web address.
const web = repository.url.replace(/\.git$/, '');
const vsix = path.join(repoRoot, `${name}-${version}.vsix`);
const vsce = path.join(repoRoot, 'node_modules', '.bin', 'vsce');

// stdin closed: vsce asks questions when something is off; fail instead of waiting for an answer.
const result = spawnSync(vsce, ['package', '--no-dependencies', '--baseContentUrl', `${web}/blob/main`, '--baseImagesUrl', `${web}/raw/main`, '--out', vsix], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
if (result.status !== 0) {
  console.error(`vsce package failed (exit ${result.status ?? result.signal}); see its message above.`);
  process.exit(1);
}
const bytes = statSync(vsix).size;
console.log(`VSIX: ${path.relative(repoRoot, vsix)} (${(bytes / 1024).toFixed(0)} KiB, ${bytes} bytes)`);
