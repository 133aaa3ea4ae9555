/**
 * What a project targets, like ruff's `target-version`: the Airflow release line its DAGs run on and the Python
 * version of that environment. Rules follow it (Airflow 3 migration rules are off for an Airflow 2 target, the
 * syntax check knows which f-strings the target Python accepts).
 */
export interface Version {
  readonly major: number;
  readonly minor: number;
}

export interface AnalysisTarget {
  readonly airflow: Version;
  readonly python: Version;
}

/** `"3"` means the newest final Airflow 3 release line Hangar's tables were generated from. */
export const PRIMARY_AIRFLOW_3: Version = { major: 3, minor: 3 };
export const DEFAULT_PYTHON: Version = { major: 3, minor: 11 };
export const DEFAULT_TARGET: AnalysisTarget = { airflow: PRIMARY_AIRFLOW_3, python: DEFAULT_PYTHON };

/** `2`, `2.11`, `3`, `3.4`: the accepted forms of a target Airflow. */
export const AIRFLOW_TARGET = /^(2|3)(?:\.(\d{1,2}))?$/;
/** `3.11`, `3.12`: the accepted forms of a target Python. */
export const PYTHON_TARGET = /^3\.(\d{1,2})$/;

/** Parses a target Airflow (`"3"` is the primary Airflow 3 line, `"2"` the last Airflow 2 line); undefined when malformed. */
export function parseAirflowTarget(text: string): Version | undefined {
  const match = AIRFLOW_TARGET.exec(text.trim());
  if (!match) return undefined;
  const major = Number(match[1]);
  if (match[2] !== undefined) return { major, minor: Number(match[2]) };
  return major === 3 ? PRIMARY_AIRFLOW_3 : { major: 2, minor: 11 };
}

export function parsePythonTarget(text: string): Version | undefined {
  const match = PYTHON_TARGET.exec(text.trim());
  return match ? { major: 3, minor: Number(match[1]) } : undefined;
}

/** a >= b */
export function atLeast(a: Version, b: Version): boolean {
  return a.major > b.major || (a.major === b.major && a.minor >= b.minor);
}

export function formatVersion(version: Version): string {
  return `${version.major}.${version.minor}`;
}

/**
 * The target of a file: the project's configuration first, then what the editor or CLI knows (a setting, the
 * Airflow environment's interpreter), then the defaults (Airflow 3, Python 3.11).
 */
export function resolveTarget(config: { readonly targetAirflow?: string; readonly targetPython?: string }, known: { airflow?: string; python?: string } = {}): AnalysisTarget {
  const airflow = [config.targetAirflow, known.airflow].map((t) => (t ? parseAirflowTarget(t) : undefined)).find(Boolean);
  const python = [config.targetPython, known.python].map((t) => (t ? parsePythonTarget(t) : undefined)).find(Boolean);
  return { airflow: airflow ?? PRIMARY_AIRFLOW_3, python: python ?? DEFAULT_PYTHON };
}
