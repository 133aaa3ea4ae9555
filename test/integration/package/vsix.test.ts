/**
 * The VSIX as `npm run package` makes it (scripts/package.mjs on the dist/ this run built): the extension icon, the
 * `hangar` CLI, and a README whose images show in VS Code's extension page (data: URIs of the screenshots, nothing
 * pointing at the placeholder repository address). Unpacked with Python's zipfile: Node has no zip reader.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../../support/venv';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('the VSIX', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'hangar-vsix-'));
  const unpacked = path.join(scratch, 'unpacked');
  const extension = path.join(unpacked, 'extension');
  after(() => rmSync(scratch, { recursive: true, force: true }));

  before(() => {
    assert.ok(existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'hangar.js')), 'build first: node esbuild.mjs');
    const vsix = path.join(scratch, 'hangar.vsix');
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.mjs'), '--out', vsix], { cwd: REPO_ROOT, stdio: 'ignore' });
    execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', vsix, unpacked]);
  });

  test('has a 128x128 PNG icon, declared in package.json and the VSIX manifest', () => {
    const manifest = JSON.parse(readFileSync(path.join(extension, 'package.json'), 'utf8')) as { icon?: string };
    assert.equal(manifest.icon, 'media/icon/icon.png');
    assert.deepEqual(pngSize(readFileSync(path.join(extension, manifest.icon))), { width: 128, height: 128 });
    assert.match(readFileSync(path.join(unpacked, 'extension.vsixmanifest'), 'utf8'), /<Icon>extension\/media\/icon\/icon\.png<\/Icon>/);
  });

  test("the README's images are the screenshots themselves, inlined; none points at a web address", () => {
    const readme = readFileSync(path.join(extension, 'readme.md'), 'utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)|<img[^>]+src=["']([^"']+)/g)].map((m) => m[1] ?? m[2]!);
    const screenshots = readdirSync(path.join(REPO_ROOT, 'media', 'screenshots')).filter((f) => f.endsWith('.png'));
    assert.ok(images.length >= screenshots.length && images.length > 0, `${images.length} images`);
    const inlined = new Set<string>();
    for (const image of images) {
      assert.match(image.slice(0, 40), /^data:image\/png;base64,/, `an image the extension page can show: ${image.slice(0, 80)}`);
      inlined.add(image.slice('data:image/png;base64,'.length));
    }
    for (const file of screenshots) {
      const referenced = new RegExp(`\\]\\(media/screenshots/${file.replace('.', '\\.')}\\)`).test(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));
      if (referenced) assert.ok(inlined.has(readFileSync(path.join(REPO_ROOT, 'media', 'screenshots', file)).toString('base64')), `${file} is inlined`);
    }
    assert.ok(!/example\.invalid[^)\s]*\.(png|gif|jpe?g|svg)/i.test(readme), 'no image URL at the placeholder address');
  });

  test('carries the hangar CLI, which runs from the unpacked extension with no node_modules', () => {
    assert.deepEqual(readdirSync(path.join(extension, 'dist', 'cli')).sort(), ['checkWorker.js', 'dagdiffWorker.js', 'hangar.js', 'hangarAll.js', 'hangarCheck.js']);
    assert.ok(!readdirSync(extension).includes('node_modules'));
    const run = spawnSync(process.execPath, [path.join(extension, 'dist', 'cli', 'hangar.js'), 'check', 'examples/community-dags/dags'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /HGR005 error/);
    const service = spawnSync(process.execPath, [path.join(extension, 'dist', 'cli', 'hangar.js'), 'serve', '--marketplace', '--db', path.join(scratch, 'm.db')], { encoding: 'utf8' });
    assert.equal(service.status, 2);
    assert.match(service.stderr, /better-sqlite3, which is not installed next to this hangar/);
  });
});
