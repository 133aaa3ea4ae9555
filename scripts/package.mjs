// `npm run package`: builds the .vsix with @vscode/vsce (the production build runs just before this
// script). The bundles carry their dependencies, so node_modules stays out (--no-dependencies);
// .vscodeignore is the allow-list of what goes in.
// Usage: node scripts/package.mjs [--out FILE]   (default: hangar-<version>.vsix at the root)
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { name, version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const outIndex = process.argv.indexOf('--out');
const vsix = outIndex > 0 ? path.resolve(process.argv[outIndex + 1]) : path.join(repoRoot, `${name}-${version}.vsix`);
const vsce = path.join(repoRoot, 'node_modules', '.bin', 'vsce');

/**
 * The README as the VSIX carries it. The project has no public web address for vsce to resolve relative links
 * against, and VS Code's extension page shows only https: and data: images, so each screenshot is inlined as a
 * data: URI; other relative links stay as they are (--no-rewrite-relative-links).
 */
function vsixReadme() {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8').replace(/(!\[[^\]]*\]\()([^)\s]+\.png)\)/g, (_, start, image) => {
    const bytes = readFileSync(path.join(repoRoot, image));
    return `${start}data:image/png;base64,${bytes.toString('base64')})`;
  });
  const file = path.join('dist', 'vsix-readme.md'); // vsce takes it relative to the package root
  writeFileSync(path.join(repoRoot, file), readme);
  return file;
}

// stdin closed: vsce asks questions when something is off; fail instead of waiting for an answer.
const args = ['package', '--no-dependencies', '--no-rewrite-relative-links', '--readme-path', vsixReadme(), '--out', vsix];
const result = spawnSync(vsce, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
if (result.status !== 0) {
  console.error(`vsce package failed (exit ${result.status ?? result.signal}); see its message above.`);
  process.exit(1);
}
const bytes = statSync(vsix).size;
console.log(`VSIX: ${path.relative(repoRoot, vsix)} (${(bytes / 1024).toFixed(0)} KiB, ${bytes} bytes)`);
