import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { gitEnvironment, repositoryFilterOverrides } from '../git/environment';
import { assertRevision } from '../git/remote';

const execFileAsync = promisify(execFile);

/**
 * Runs git in `cwd` and returns stdout; the error names the command and git's own message. `env` defaults to
 * the hardened environment without credentials (git/environment.ts); a caller talking to a remote passes its own.
 */
export async function git(cwd: string, args: readonly string[], env: Record<string, string> = gitEnvironment()): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', args, { cwd, maxBuffer: 256 * 1024 * 1024, env });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`git ${args[0]} failed in ${cwd}: ${stderr || (error as Error).message}`);
  }
}

/** The full commit sha a branch, tag or sha names in the clone. */
export async function resolveCommit(repoPath: string, ref: string): Promise<string> {
  assertRevision(ref, 'The version to deploy');
  // Clones made by `hangar repos sync` keep branches as origin/<name> (detached checkout): prefer the fetched one.
  for (const candidate of [`refs/remotes/origin/${ref}`, ref]) {
    const sha = await git(repoPath, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${candidate}^{commit}`]).catch(() => '');
    if (sha.trim()) return sha.trim();
  }
  throw new Error(`"${ref}" is not a branch, tag or commit of ${repoPath}. Sync the repository or pick another version.`);
}

export interface TreeFile {
  /** Path relative to the DAGs subfolder. */
  readonly path: string;
  readonly blob: string;
  /** In bytes. */
  readonly size: number;
}

/** Files of `subdir` at `commit`, with their blob ids and sizes (cheap: no checkout). */
export async function listFiles(repoPath: string, commit: string, subdir: string): Promise<TreeFile[]> {
  const prefix = subdir ? `${subdir.replace(/\/+$/, '')}/` : '';
  const out = await git(repoPath, ['ls-tree', '-r', '-l', '-z', '--full-tree', '--end-of-options', commit, ...(prefix ? ['--', prefix] : [])]);
  const files: TreeFile[] = [];
  for (const line of out.split('\0')) {
    const match = /^\d+ blob ([0-9a-f]+) +(\d+)\t(.*)$/s.exec(line);
    if (match) files.push({ blob: match[1]!, size: Number(match[2]), path: match[3]!.slice(prefix.length) });
  }
  return files;
}

export async function readBlobs(repoPath: string, blobs: readonly string[]): Promise<Map<string, string>> {
  const bytes = await readBlobBytes(repoPath, blobs);
  return new Map([...bytes].map(([blob, content]) => [blob, content.toString('utf8')]));
}

/** The contents of blobs, read in one `git cat-file --batch`. */
export async function readBlobBytes(repoPath: string, blobs: readonly string[]): Promise<Map<string, Buffer>> {
  const result = new Map<string, Buffer>();
  if (blobs.length === 0) return result;
  const unique = [...new Set(blobs)];
  const out = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: repoPath, stdio: ['pipe', 'pipe', 'pipe'], env: gitEnvironment() });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`git cat-file failed in ${repoPath}`))));
    child.stdin.end(unique.join('\n') + '\n');
  });
  let offset = 0;
  for (const blob of unique) {
    const headerEnd = out.indexOf(10, offset);
    const size = Number(out.subarray(offset, headerEnd).toString().split(' ')[2]);
    result.set(blob, out.subarray(headerEnd + 1, headerEnd + 1 + size));
    offset = headerEnd + 1 + size + 1;
  }
  return result;
}

/**
 * Writes the files of `subdir` at `commit` into `dest` (which must exist): git archive piped into tar. Archiving
 * runs smudge filters, so the repository's own filter drivers are neutralised.
 */
export async function exportTree(repoPath: string, commit: string, subdir: string, dest: string): Promise<void> {
  const treeish = subdir ? `${commit}:${subdir.replace(/\/+$/, '')}` : commit;
  const env = gitEnvironment({ config: await repositoryFilterOverrides(repoPath) });
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', '--end-of-options', treeish], { cwd: repoPath, stdio: ['ignore', 'pipe', 'pipe'], env });
    const tar = spawn('tar', ['-x', '-f', '-', '-C', dest], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    archive.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    tar.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    archive.stdout.pipe(tar.stdin);
    let pending = 2;
    let failed = false;
    const done = (code: number | null): void => {
      if (code !== 0) failed = true;
      if (--pending === 0) {
        if (failed) reject(new Error(`Could not export ${treeish} of ${repoPath}: ${stderr.trim()}`));
        else resolve();
      }
    };
    archive.on('error', reject);
    tar.on('error', reject);
    archive.on('close', done);
    tar.on('close', done);
  });
}

export function gitWithInput(cwd: string, args: readonly string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: gitEnvironment() });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`git ${args[0]} failed in ${cwd}: ${err.trim()}`))));
    child.stdin.end(input);
  });
}
