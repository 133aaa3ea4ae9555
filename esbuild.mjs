// One build for everything that ships: the extension client, the language
// server, the `hangar` CLI, the webview scripts and the editor test suite.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(root, 'dist');

const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const node = {
  define: { HANGAR_VERSION: JSON.stringify(version) },
  // The ESM build of web-tree-sitter reads import.meta.url, which is empty in a CJS bundle: use its CJS build.
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  { ...node, entryPoints: { 'client/extension': 'client/src/extension.ts' }, external: ['vscode'] },
  { ...node, entryPoints: { 'server/server': 'server/src/lsp/server.ts' } },
  {
    ...node,
    // cli/hangar.js only picks the bundle to run: hangarCheck.js for `hangar check`, hangarAll.js for the rest.
    entryPoints: {
      'cli/hangar': 'server/src/cli/hangar.ts',
      'cli/hangarAll': 'server/src/cli/main.ts',
      'cli/hangarCheck': 'server/src/cli/checkMain.ts',
      'cli/checkWorker': 'server/src/cli/checkWorker.ts',
      'cli/dagdiffWorker': 'server/src/dagdiff/diffWorker.ts',
    },
    // Native modules: better-sqlite3 (marketplace service) loads from node_modules at run time; pg's optional pg-native is never used.
    external: ['better-sqlite3', 'pg-native'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: { 'media/graph': 'media/src/graph.ts', 'media/market': 'media/src/market.ts' },
  },
];

if (!production) {
  builds.push({
    ...node,
    entryPoints: { 'test/editor/suite': 'test/editor/suite/index.ts' },
    external: ['vscode', 'mocha'],
  });
}

function copyPythonHelpers() {
  cpSync(path.join(root, 'server', 'python'), path.join(dist, 'python'), { recursive: true });
}

function copyWasm() {
  const wasmDir = path.join(dist, 'wasm');
  mkdirSync(wasmDir, { recursive: true });
  cpSync(path.join(path.dirname(require.resolve('web-tree-sitter')), 'tree-sitter.wasm'), path.join(wasmDir, 'tree-sitter.wasm'));
  cpSync(require.resolve('tree-sitter-wasms/out/tree-sitter-python.wasm'), path.join(wasmDir, 'tree-sitter-python.wasm'));
}

/** JSON Schemas the editor reads from the VSIX (yamlValidation); the source stays next to the code that validates. */
function copySchemas() {
  mkdirSync(path.join(dist, 'schemas'), { recursive: true });
  cpSync(path.join(root, 'server/src/config/airflow-repos.schema.json'), path.join(dist, 'schemas', 'airflow-repos.schema.json'));
}

const present = builds.filter((b) => Object.values(b.entryPoints).every((e) => existsSync(path.join(root, e))));

if (!watch) rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
copyWasm();
copySchemas();
copyPythonHelpers();
if (watch) {
  for (const b of present) (await esbuild.context({ ...b, outdir: dist })).watch();
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(present.map((b) => esbuild.build({ ...b, outdir: dist })));
  console.log(`esbuild: built ${present.length} bundles into dist/${production ? ' (production)' : ''}`);
}
