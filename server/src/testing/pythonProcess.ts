import { runProcessTree } from './processTree';

const MARKER = '@@hangar ';

export interface PythonRun {
  /** Records the script emitted (lines starting with the marker), in order. */
  readonly records: Array<Record<string, unknown>>;
  readonly code: number | null;
  /** Everything else it printed (task logs, warnings), for the output channel. */
  readonly output: string;
  /** The run was stopped because it exceeded `timeoutMs`. */
  readonly timedOut: boolean;
}

export interface PythonRunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Cancels the run: the interpreter and every process it started are ended. */
  readonly signal?: AbortSignal;
  /** Ends the whole run after this long (it then resolves with `timedOut`). */
  readonly timeoutMs?: number;
  /** Each line the script prints that is not a record, as it comes (streaming). */
  readonly onOutput?: (line: string) => void;
  readonly onRecord?: (record: Record<string, unknown>) => void;
}

/** Runs one of Hangar's Python helper scripts and separates its records from the rest of its output. */
export async function runPythonScript(python: string, script: string, args: readonly string[], options: PythonRunOptions = {}): Promise<PythonRun> {
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
  try {
    const exit = await runProcessTree(python, [script, ...args], {
      cwd: options.cwd,
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...options.env },
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      onStdout: lineReader(),
      onStderr: lineReader(),
    });
    return { records, code: exit.code, output, timedOut: exit.timedOut };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`No Python interpreter at "${python}". Select the Airflow environment's interpreter.`);
    throw error;
  }
}
