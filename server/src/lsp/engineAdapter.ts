import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver/node';
import { ConfigError, DEFAULT_CONFIG, loadConfigFor, type HangarConfig } from '../analysis/config';
import { DagIndex } from '../analysis/dagIndex';
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

/** The one place the language server calls the analysis engine; owns the workspace dag_id index. */
export class Engine {
  private readonly dagIndex = new DagIndex();
  private readonly dagIdsByPath = new Map<string, string>();
  private readonly configs = new Map<string, { config: HangarConfig; problem?: Diagnostic }>();

  analyze(input: EngineInput): EngineOutput {
    const project = input.file ? this.projectConfig(input.file) : { config: DEFAULT_CONFIG };
    const result = analyzeTree({
      path: input.path,
      source: input.source,
      tree: input.tree,
      config: withSettings(project.config, input.settings),
      dagIndex: this.dagIndex,
    });
    // Other files only need re-analysing when this file's set of dag_ids changed, not on every keystroke.
    const dagIds = result.model.dags.map((dag) => (dag.dagId.known ? dag.dagId.value : '')).join('\u0000');
    const changed = this.dagIdsByPath.get(input.path) !== dagIds;
    this.dagIdsByPath.set(input.path, dagIds);
    return { findings: result.findings, model: result.model, affected: changed ? result.affectedFiles : [], configProblem: project.problem };
  }

  /** Forgets a file's DAGs; returns the files whose duplicate findings may have changed. */
  forget(indexPath: string): string[] {
    this.dagIdsByPath.delete(indexPath);
    return this.dagIndex.remove(indexPath);
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

/** `hangar.rules.*` editor settings over the project's config: select replaces, ignore and severity add. */
function withSettings(config: HangarConfig, settings: LspSettings): HangarConfig {
  const { select, ignore, severity } = settings.rules;
  if (select.length === 0 && ignore.length === 0 && Object.keys(severity).length === 0) return config;
  return {
    ...config,
    select: select.length > 0 ? select : config.select,
    ignore: [...config.ignore, ...ignore],
    severity: { ...config.severity, ...severity },
  };
}
