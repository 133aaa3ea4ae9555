import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT as ROOT } from './venv';

/**
 * Bundles the `hangar` CLI into .cache/ (not dist/, which other builds replace) so child processes start in
 * ~100 ms instead of compiling TypeScript on every start. Returns the script path.
 */
export async function buildCli(): Promise<string> {
  const outdir = path.join(ROOT, '.cache', 'deploy-test-cli', String(process.pid));
  mkdirSync(path.join(outdir, 'wasm'), { recursive: true });
  await build({
    entryPoints: { hangar: path.join(ROOT, 'server', 'src', 'cli', 'main.ts'), checkWorker: path.join(ROOT, 'server', 'src', 'cli', 'checkWorker.ts') },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir,
    define: { HANGAR_VERSION: '"test"' },
    // As in esbuild.mjs: the native SQLite binding is loaded from node_modules, not bundled.
    external: ['better-sqlite3'],
    // As in esbuild.mjs: the ESM build of web-tree-sitter needs import.meta.url, empty in a CJS bundle.
    alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
    logLevel: 'warning',
  });
  cpSync(path.join(path.dirname(require.resolve('web-tree-sitter')), 'tree-sitter.wasm'), path.join(outdir, 'wasm', 'tree-sitter.wasm'));
  cpSync(path.join(ROOT, 'node_modules', 'tree-sitter-wasms', 'out', 'tree-sitter-python.wasm'), path.join(outdir, 'wasm', 'tree-sitter-python.wasm'));
  return path.join(outdir, 'hangar.js');
}
