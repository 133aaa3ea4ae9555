import { forgetEnvironment } from '../pyenv/environment';
import { runProcessTree } from '../testing/processTree';

export interface InstallOptions {
  readonly signal?: AbortSignal;
  readonly onOutput?: (line: string) => void;
}

/**
 * Installs requirements into the interpreter's environment with `pip` (`python -m pip install`), then forgets
 * the cached package list so the next check sees them. Requirements go to pip as separate arguments, never
 * through a shell.
 */
export async function installRequirements(python: string, requirements: readonly string[], options: InstallOptions = {}): Promise<void> {
  if (!requirements.length) return;
  const bad = requirements.find((r) => r.startsWith('-') || /[\s;|&`$]/.test(r));
  if (bad) throw new Error(`"${bad}" is not a plain requirement; Hangar installs only "name" or "name<specifier>".`);
  const output: string[] = [];
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      options.onOutput?.(line);
    }
  };
  // pip runs build backends in subprocesses: cancelling ends them too.
  const { code } = await runProcessTree(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...requirements], {
    signal: options.signal,
    env: { ...process.env, PIP_NO_INPUT: '1' },
    onStdout: forward,
    onStderr: forward,
  });
  forgetEnvironment(python);
  if (code !== 0) {
    throw new Error(`pip could not install ${requirements.join(' ')} into ${python} (exit ${code}): ${output.slice(-3).join(' / ')}`);
  }
}
