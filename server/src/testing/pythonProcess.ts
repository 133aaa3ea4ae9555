import { spawn } from 'node:child_process';
import { withoutSecrets } from '../secretVariables';

const MARKER = '@@hangar ';

export interface PythonRun {
  /** Records the script emitted (lines starting with the marker), in order. */
  readonly records: Array<Record<string, unknown>>;
  readonly code: number | null;
  /** Everything else it printed (task logs, warnings), for the output channel. */
  readonly output: string;
}

export interface PythonRunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  /** Each line the script prints that is not a record, as it comes (streaming). */
  readonly onOutput?: (line: string) => void;
  readonly onRecord?: (record: Record<string, unknown>) => void;
}

/** Runs one of Hangar's Python helper scripts and separates its records from the rest of its output. */
export function runPythonScript(python: string, script: string, args: readonly string[], options: PythonRunOptions = {}): Promise<PythonRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script, ...args], {
      cwd: options.cwd,
      env: { ...withoutSecrets(process.env), PYTHONUNBUFFERED: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const records: Array<Record<string, unknown>> = [];
    let output = '';
    const lineReader = () => {
      let pending = '';
      return (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith(MARKER)) {
            const record = JSON.parse(line.slice(MARKER.length)) as Record<string, unknown>;
            records.push(record);
            options.onRecord?.(record);
          } else {
            output += `${line}\n`;
            options.onOutput?.(line);
          }
        }
      };
    };
    child.stdout.on('data', lineReader());
    child.stderr.on('data', lineReader());
    child.on('error', (error) =>
      reject((error as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(`No Python interpreter at "${python}". Select the Airflow environment's interpreter.`) : error),
    );
    child.on('close', (code) => resolve({ records, code, output }));
  });
}
