import type { Severity } from '../analysis/findings';
import { AIRFLOW_TARGET, PYTHON_TARGET } from '../analysis/target';

/** The `hangar.*` settings the language server reads, per resource, with their defaults. */
export interface LspSettings {
  rules: {
    /** Rule ids or names to run; empty falls back to the project's pyproject.toml / hangar.toml. */
    select: string[];
    ignore: string[];
    severity: Record<string, Severity | 'off'>;
  };
  analysis: {
    /** `airflow`: only files mentioning both "airflow" and "dag", as Airflow's own DAG discovery does. */
    dagFileHeuristic: 'airflow' | 'allPythonFiles';
    /** Most files the background scan of the DAG folders analyses. */
    backgroundCap: number;
    /** Names of the folders whose Python files the background scan analyses. */
    dagFolders: string[];
    /** Files larger than this get one information diagnostic instead of analysis. */
    maxFileSizeKb: number;
    /** `target-airflow` when the project's pyproject.toml / hangar.toml does not say ("" = Airflow 3). */
    targetAirflow: string;
    /** `target-python` when the project's config does not say ("" = 3.11). */
    targetPython: string;
  };
}

export const defaultSettings: LspSettings = {
  rules: { select: [], ignore: [], severity: {} },
  analysis: { dagFileHeuristic: 'airflow', backgroundCap: 2000, dagFolders: ['dags'], maxFileSizeKb: 1024, targetAirflow: '', targetPython: '' },
};

const severities = new Set(['error', 'warning', 'info', 'hint', 'off']);

const strings = (value: unknown, fallback: string[]): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : fallback;

const positive = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;

/** A well-formed version string, else "" (the default). */
const version = (value: unknown, pattern: RegExp): string => (typeof value === 'string' && pattern.test(value.trim()) ? value.trim() : '');

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Reads the raw `hangar` section a client sent; anything malformed falls back to its default. */
export function parseSettings(raw: unknown): LspSettings {
  const section = record(raw);
  const rules = record(section.rules);
  const analysis = record(section.analysis);
  const severity: LspSettings['rules']['severity'] = {};
  for (const [id, level] of Object.entries(record(rules.severity))) {
    if (typeof level === 'string' && severities.has(level)) severity[id] = level as Severity | 'off';
  }
  const d = defaultSettings.analysis;
  return {
    rules: { select: strings(rules.select, []), ignore: strings(rules.ignore, []), severity },
    analysis: {
      dagFileHeuristic: analysis.dagFileHeuristic === 'allPythonFiles' ? 'allPythonFiles' : 'airflow',
      backgroundCap: positive(analysis.backgroundCap, d.backgroundCap),
      dagFolders: strings(analysis.dagFolders, d.dagFolders),
      maxFileSizeKb: positive(analysis.maxFileSizeKb, d.maxFileSizeKb),
      targetAirflow: version(analysis.targetAirflow, AIRFLOW_TARGET),
      targetPython: version(analysis.targetPython, PYTHON_TARGET),
    },
  };
}

/** Airflow's default DAG discovery heuristic (`might_contain_dag`): both words appear, in any case. */
export function looksLikeDagFile(source: string, settings: LspSettings): boolean {
  if (settings.analysis.dagFileHeuristic === 'allPythonFiles') return true;
  return /airflow/i.test(source) && /dag/i.test(source);
}

/**
 * Settings per resource, fetched once through `workspace/configuration` and kept until the client
 * says they changed; never a server-wide global, since each folder can have its own.
 */
export class SettingsCache {
  private readonly byUri = new Map<string, LspSettings>();
  private readonly pending = new Map<string, Promise<LspSettings>>();
  private generation = 0;

  constructor(private readonly fetch: ((uri: string) => Promise<unknown>) | undefined) {}

  /** Settings when already known: the fast path of a keystroke never waits for the client. */
  cached(uri: string): LspSettings | undefined {
    return this.fetch ? this.byUri.get(uri) : defaultSettings;
  }

  async get(uri: string): Promise<LspSettings> {
    const known = this.cached(uri);
    if (known) return known;
    let pending = this.pending.get(uri);
    if (!pending) {
      const generation = this.generation;
      pending = this.fetch!(uri).then(
        (raw) => parseSettings(raw),
        () => defaultSettings,
      ).then((settings) => {
        if (generation === this.generation) this.byUri.set(uri, settings);
        this.pending.delete(uri);
        return settings;
      });
      this.pending.set(uri, pending);
    }
    return pending;
  }

  forget(uri: string): void {
    this.byUri.delete(uri);
  }

  invalidate(): void {
    this.generation += 1;
    this.byUri.clear();
    this.pending.clear();
  }
}
