// Installs code-server (a real VS Code 1.100.3 served to a browser) into the git-ignored
// .cache/code-server/ folder, following the recipe in shared/DESIGN.md. Idempotent: a stamp
// file records a finished install, so a second run returns at once.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from '../../scripts/system-packages.mjs';

export const CODE_SERVER_VERSION = '4.100.3';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cacheDir = path.join(repoRoot, '.cache', 'code-server');
export const codeServerDir = path.join(cacheDir, 'node_modules', 'code-server');
export const codeServerEntry = path.join(codeServerDir, 'out', 'node', 'entry.js');
const vscodeDir = path.join(codeServerDir, 'lib', 'vscode');
const stampFile = path.join(cacheDir, `installed-${CODE_SERVER_VERSION}.json`);

const say = (message) => console.log(`[install code-server] ${message}`);

export function isInstalled() {
  return existsSync(stampFile) && existsSync(codeServerEntry);
}

function run(command, args, cwd, extraEnv = {}) {
  say(`$ ${command} ${args.join(' ')}   (in ${path.relative(repoRoot, cwd) || '.'})`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (result.status !== 0) {
    throw new Error(`"${command} ${args.join(' ')}" failed in ${cwd} (exit ${result.status ?? result.signal}). Fix the error above and run "node test/editor/install.mjs" again.`);
  }
}

function findFiles(dir, predicate, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findFiles(full, predicate, found);
    else if (predicate(entry.name)) found.push(full);
  }
  return found;
}

/** Native modules the workbench needs; each must end up with a compiled .node file. */
function assertNativeBuilt(moduleDir, label) {
  const built = findFiles(path.join(moduleDir, 'build'), (name) => name.endsWith('.node'))
    .concat(findFiles(path.join(moduleDir, 'lib', 'binding'), (name) => name.endsWith('.node')));
  if (built.length === 0) {
    throw new Error(`${label} was not compiled (no .node file under ${moduleDir}). npm may have skipped its install script; run "npm rebuild" there by hand to see why.`);
  }
  say(`${label}: ${path.relative(cacheDir, built[0])}`);
}

function link(target, linkPath) {
  rmSync(linkPath, { recursive: true, force: true });
  symlinkSync(target, linkPath);
}

export function install() {
  if (isInstalled()) {
    say(`code-server ${CODE_SERVER_VERSION} already installed in ${path.relative(repoRoot, cacheDir)}/`);
    return;
  }
  ensureSystemPackages(['code-server'], '"node test/editor/install.mjs"');
  const startedAt = Date.now();
  // node-pty's build calls npx; nodedir points node-gyp at the headers of the installed Node
  // (the machine's npmrc says so too, but npm 11 warns it may stop honouring unknown user config).
  const buildEnv = { npm_config_yes: 'true', ...(existsSync('/usr/include/node/node.h') ? { npm_config_nodedir: '/usr' } : {}) };
  say(`installing code-server ${CODE_SERVER_VERSION} into ${path.relative(repoRoot, cacheDir)}/ (about 300 MB, under a minute)`);
  rmSync(stampFile, { force: true });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(path.join(cacheDir, 'package.json'), JSON.stringify({ private: true, description: 'code-server for the Hangar editor tests' }, null, 2));
  const npmQuiet = ['--no-audit', '--no-fund', '--loglevel=error'];

  say('step 1/6: code-server package, install scripts off (its postinstall would need network access we do not have)');
  run('npm', ['install', '--ignore-scripts', ...npmQuiet, `code-server@${CODE_SERVER_VERSION}`], cacheDir);

  say('step 2/6: VS Code production dependencies (lib/vscode), install scripts off');
  run('npm', ['install', '--omit=dev', '--ignore-scripts', ...npmQuiet], vscodeDir);

  say('step 3/6: Debian ripgrep in place of the downloaded one');
  const rgDir = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync('/usr/bin/rg', path.join(rgDir, 'rg'));

  say('step 4/6: compiling VS Code native modules (node-pty, spdlog, kerberos, ...)');
  run('npm', ['rebuild', '--foreground-scripts', '--ignore-scripts=false', ...npmQuiet], vscodeDir, buildEnv);
  for (const mod of ['node-pty', '@vscode/spdlog', 'kerberos']) assertNativeBuilt(path.join(vscodeDir, 'node_modules', mod), mod);

  say('step 5/6: compiling argon2 (hoisted next to code-server)');
  const argon2Owner = [codeServerDir, cacheDir].find((dir) => existsSync(path.join(dir, 'node_modules', 'argon2')));
  if (!argon2Owner) throw new Error('argon2 was not installed with code-server; delete .cache/code-server and run again.');
  run('npm', ['rebuild', 'argon2', '--foreground-scripts', '--ignore-scripts=false', ...npmQuiet], argon2Owner, buildEnv);
  assertNativeBuilt(path.join(argon2Owner, 'node_modules', 'argon2'), 'argon2');

  say('step 6/6: the links code-server\'s postinstall.sh makes');
  link('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  link('code-linux.sh', path.join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', path.join(vscodeDir, 'bin', 'helpers', 'browser.sh'));

  const { version } = JSON.parse(readFileSync(path.join(codeServerDir, 'package.json'), 'utf8'));
  writeFileSync(stampFile, JSON.stringify({ version, installedAt: new Date().toISOString() }, null, 2));
  say(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    install();
  } catch (error) {
    console.error(`[install code-server] ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
