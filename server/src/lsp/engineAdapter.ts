import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver/node';
import { ConfigError, DEFAULT_CONFIG, loadConfigFor, type HangarConfig } from '../analysis/config';
import { DagIndex } from '../analysis/dagIndex';
import { deploymentUnit, moduleSearchRoots } from '../analysis/deploymentUnit';
import { LocalModules } from '../analysis/localModules';
import { resolveTarget } from '../analysis/target';
import { analyzeTree, isKnownSelector } from '../analysis/engine';
import type { Finding } from '../analysis/findings';
import type { DagFileModel } from '../analysis/model/types';
import type { Tree } from '../analysis/parser';
import { ruleById } from '../analysis/rules/catalog';
import { fileNotice } from './diagnostics';
import type { LspSettings } from './settings';

/** What the editor features need from one analysis of one version of a file. */
export interface FileAnalysis {
  readonly findings: readonly Finding[];
  /** Only while the tree it points into is alive (open documents). */
  readonly model?: DagFileModel;
}

export interface EngineInput {
  /** Key of the file in the workspace dag_id index, and the path findings show. */
  readonly path: string;
  /** Absolute path on disk, where the project's pyproject.toml / hangar.toml is looked up; none for untitled files. */
  readonly file?: string;
  readonly source: string;
  readonly tree: Tree;
  readonly settings: LspSettings;
  /** The workspace folder of the file: its deployment unit (where a dag_id must be unique) and its outermost sys.path entry. */
  readonly workspaceFolder?: string;
}

export interface EngineOutput extends FileAnalysis {
  readonly model: DagFileModel;
  /** Other files (index keys) whose cross-file findings may have changed. */
  readonly affected: readonly string[];
  /** A malformed project config, shown on the file instead of silently ignored. */
  readonly configProblem?: Diagnostic;
}

export function ruleDoc(ruleId: string): string | undefined {
  return ruleById(ruleId)?.doc;
}

export function isSafeFix(ruleId: string): boolean {
  return ruleById(ruleId)?.safeFix === true;
}

/**
 * The one place the language server calls the analysis engine; owns the dag_id index of each deployment unit (a
 * workspace folder: its DAG folders are what one Airflow serves) and the reader of helper modules.
 */
export class Engine {
  private readonly dagIndexes = new Map<string, DagIndex>();
  private readonly unitByPath = new Map<string, string>();
  private readonly dagIdsByPath = new Map<string, string>();
  private readonly configs = new Map<string, { config: HangarConfig; problem?: Diagnostic }>();
  private readonly localModules: LocalModules;

  constructor(parser: { parse(source: string): Tree | null }, openText: (file: string) => string | undefined, private readonly workspaceFolderOf: (file: string) => string | undefined) {
    this.localModules = new LocalModules({ parser, openText, searchRoots: (file) => moduleSearchRoots(file, this.workspaceFolderOf(file)) });
  }

  analyze(input: EngineInput): EngineOutput {
    const project = input.file ? this.projectConfig(input.file) : { config: DEFAULT_CONFIG };
    const config = withSettings(project.config, input.settings);
    const target = resolveTarget(config);
    const unit = input.file ? (input.workspaceFolder ?? deploymentUnit(input.file)) : '';
    const previousUnit = this.unitByPath.get(input.path);
    const moved = previousUnit !== undefined && previousUnit !== unit ? this.dagIndexOf(previousUnit).remove(input.path) : [];
    this.unitByPath.set(input.path, unit);
    const result = analyzeTree({
      path: input.path,
      source: input.source,
      tree: input.tree,
      config,
      target,
      dagIndex: this.dagIndexOf(unit),
      ...(input.file ? { localImports: this.localModules.forFile(input.file, target.airflow) } : {}),
    });
    // Other files only need re-analysing when this file's set of dag_ids changed, not on every keystroke.
    const dagIds = result.model.dags.map((dag) => (dag.dagId.known ? dag.dagId.value : '')).join('\u0000');
    const changed = this.dagIdsByPath.get(input.path) !== dagIds;
    this.dagIdsByPath.set(input.path, dagIds);
    return { findings: result.findings, model: result.model, affected: changed ? [...moved, ...result.affectedFiles] : moved, configProblem: project.problem };
  }

  /** Forgets a file's DAGs; returns the files whose duplicate findings may have changed. */
  forget(indexPath: string): string[] {
    this.dagIdsByPath.delete(indexPath);
    const unit = this.unitByPath.get(indexPath);
    this.unitByPath.delete(indexPath);
    return unit === undefined ? [] : this.dagIndexOf(unit).remove(indexPath);
  }

  /** A file changed (edited, saved, deleted): the DAG files whose last analysis read it as a helper module. */
  importersOf(file: string): string[] {
    this.localModules.forget(file);
    return this.localModules.importersOf(file);
  }

  private dagIndexOf(unit: string): DagIndex {
    let index = this.dagIndexes.get(unit);
    if (!index) this.dagIndexes.set(unit, (index = new DagIndex()));
    return index;
  }

  /** After a pyproject.toml / hangar.toml changed. */
  forgetConfigs(): void {
    this.configs.clear();
  }

  private projectConfig(file: string): { config: HangarConfig; problem?: Diagnostic } {
    const dir = path.dirname(file);
    let entry = this.configs.get(dir);
    if (!entry) {
      try {
        entry = { config: loadConfigFor(file, isKnownSelector) };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        entry = { config: DEFAULT_CONFIG, problem: fileNotice('config-error', `${error.message}. Hangar uses its default rules until the file is fixed.`, 'warning') };
      }
      this.configs.set(dir, entry);
    }
    return entry;
  }
}

const merged = new WeakMap<HangarConfig, Map<string, HangarConfig>>();

/**
 * `hangar.rules.*` editor settings over the project's config (select replaces, ignore and severity add), and the
 * target versions of `hangar.analysis.*` where the project's config names none. One object per combination, so the
 * engine's per-config caches hold across keystrokes.
 */
function withSettings(config: HangarConfig, settings: LspSettings): HangarConfig {
  const { select, ignore, severity } = settings.rules;
  const { targetAirflow, targetPython } = settings.analysis;
  const key = JSON.stringify([select, ignore, severity, targetAirflow, targetPython]);
  let byKey = merged.get(config);
  if (!byKey) merged.set(config, (byKey = new Map()));
  let result = byKey.get(key);
  if (!result) {
    result = {
      ...config,
      select: select.length > 0 ? select : config.select,
      ignore: [...config.ignore, ...ignore],
      severity: { ...config.severity, ...severity },
      ...(!config.targetAirflow && targetAirflow ? { targetAirflow } : {}),
      ...(!config.targetPython && targetPython ? { targetPython } : {}),
    };
    byKey.set(key, result);
  }
  return result;
}
