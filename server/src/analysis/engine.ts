import { DEFAULT_CONFIG, type HangarConfig } from './config';
import { definitionsOf, type DagDefinition, type DagIndex } from './dagIndex';
import type { Finding, Range, Severity } from './findings';
import { buildModel } from './model/build';
import { rangeOf } from './model/syntax';
import type { DagFileModel } from './model/types';
import { isSuppressed, parseNoqa } from './noqa';
import { decodeSource } from './input';
import { createPythonParser, type Node, type Parser, type Tree } from './parser';
import { catalog, ruleById } from './rules/catalog';
import { duplicateMessage } from './rules/importErrors/duplicateDagId';
import type { Rule, RuleContext } from './rules/rule';

export interface AnalyzeTreeInput {
  /** Path shown in findings (relative to the workspace when possible). */
  readonly path: string;
  readonly source: string;
  /** A tree of `source` (from `parser.parse(source, oldTree)` after `oldTree.edit(...)` for incremental parsing). */
  readonly tree: Tree;
  readonly config?: HangarConfig;
  /** Workspace dag_id index: updated with this file, and used for duplicate dag_id findings across files. */
  readonly dagIndex?: DagIndex;
}

export interface AnalysisResult {
  /** Sorted by position; `# noqa` and config already applied. */
  readonly findings: Finding[];
  readonly model: DagFileModel;
  /** Other files whose findings may have changed because this file's dag_ids changed (re-analyze them). */
  readonly affectedFiles: readonly string[];
}

/** Analyzes one parsed file: builds the model, runs every enabled rule, applies config and `# noqa`. Synchronous. */
export function analyzeTree(input: AnalyzeTreeInput): AnalysisResult {
  const config = input.config ?? DEFAULT_CONFIG;
  const model = buildModel(input.tree, input.source);
  const affectedFiles = input.dagIndex ? input.dagIndex.update(input.path, model) : [];
  const findings: Finding[] = [];
  for (const rule of catalog) {
    const severity = effectiveSeverity(rule, config);
    if (severity === 'off') continue;
    const context: RuleContext = {
      path: input.path,
      source: input.source,
      tree: input.tree,
      model,
      dagIndex: input.dagIndex,
      report(at, message, fix) {
        findings.push({ ruleId: rule.id, message, severity, range: isNode(at) ? rangeOf(at) : at, ...(fix ? { fix } : {}) });
      },
    };
    try {
      rule.check(context);
    } catch (error) {
      findings.push(internalError(rule, error));
    }
  }
  return { findings: finish(findings, input.source), model, affectedFiles };
}

export interface AnalyzeBytesInput extends Omit<AnalyzeTreeInput, 'tree' | 'source'> {
  readonly bytes: Uint8Array;
  readonly parser: Parser;
}

export interface BytesAnalysis extends Omit<AnalysisResult, 'model'> {
  /** The file's DAG definitions for duplicate dag_ids, read before the tree is freed (the model cannot be read after). */
  readonly dags: readonly DagDefinition[];
  /** Every dag_id the file defines with a known value (loops and factories included), for deploy manifests. */
  readonly dagIds: readonly string[];
}

/**
 * Decodes, parses and analyzes a file read from disk (the CLI's path). Files that cannot be analyzed (too large,
 * binary, invalid UTF-8, nesting Python rejects) yield one finding and no DAGs.
 */
export function analyzeBytes(input: AnalyzeBytesInput): BytesAnalysis {
  const config = input.config ?? DEFAULT_CONFIG;
  const decoded = decodeSource(input.bytes);
  if ('finding' in decoded) {
    const rule = ruleById(decoded.finding.ruleId);
    const severity = rule ? effectiveSeverity(rule, config) : decoded.finding.severity;
    const findings = severity === 'off' ? [] : [{ ...decoded.finding, severity }];
    return { findings, affectedFiles: input.dagIndex ? input.dagIndex.remove(input.path) : [], dags: [], dagIds: [] };
  }
  const tree = input.parser.parse(decoded.source);
  if (!tree) throw new Error(`Hangar could not parse ${input.path}`);
  try {
    const { findings, affectedFiles, model } = analyzeTree({ ...input, source: decoded.source, tree });
    return { findings, affectedFiles, dags: definitionsOf(model), dagIds: knownDagIds(model) };
  } finally {
    tree.delete();
  }
}

/** The dag_ids of a model whose value is known. */
function knownDagIds(model: DagFileModel): string[] {
  return model.dags.flatMap((d) => (d.dagId.known ? [d.dagId.value] : []));
}

let parserReady: ReturnType<typeof createPythonParser> | undefined;

/**
 * Parses `source` with a shared parser and analyzes it, for callers that do not keep trees. The tree is freed before
 * this returns, so the model's nodes can no longer be read: use analyzeTree to inspect the model.
 */
export async function analyzeSource(input: Omit<AnalyzeTreeInput, 'tree'>): Promise<AnalysisResult> {
  parserReady ??= createPythonParser();
  const parser = await parserReady;
  const tree = parser.parse(input.source);
  if (!tree) throw new Error(`Hangar could not parse ${input.path}`);
  try {
    return analyzeTree({ ...input, tree });
  } finally {
    tree.delete();
  }
}

const severities = new WeakMap<HangarConfig, Map<Rule, Severity | 'off'>>();

/** The severity a rule reports with under `config`, or `off` when the config disables it (worked out once per config). */
export function effectiveSeverity(rule: Rule, config: HangarConfig): Severity | 'off' {
  let byRule = severities.get(config);
  if (!byRule) severities.set(config, (byRule = new Map()));
  let severity = byRule.get(rule);
  if (severity === undefined) byRule.set(rule, (severity = severityUnder(rule, config)));
  return severity;
}

function severityUnder(rule: Rule, config: HangarConfig): Severity | 'off' {
  const override = config.severity[rule.id] ?? config.severity[rule.name];
  if (override === 'off') return 'off';
  if (config.ignore.some((selector) => matches(rule, selector))) return 'off';
  if (config.select.length > 0 && !config.select.some((selector) => matches(rule, selector))) return 'off';
  return override ?? rule.severity;
}

/** `HGR005`, `duplicate-task-id`, a prefix such as `HGR1`, or `ALL`. */
export function matches(rule: Rule, selector: string): boolean {
  const s = selector.trim();
  if (s.toUpperCase() === 'ALL') return true;
  if (s === rule.name) return true;
  return /^HGR\d{0,3}$/i.test(s) && rule.id.startsWith(s.toUpperCase());
}

/** True when `selector` names at least one rule (used to validate config and CLI flags). */
export function isKnownSelector(selector: string): boolean {
  return catalog.some((rule) => matches(rule, selector));
}

/**
 * Duplicate dag_id findings for `path` against every other file in `index` (for batch callers such as the CLI,
 * which index all files first; the language server passes `dagIndex` to analyzeTree instead).
 */
export function duplicateDagFindings(path: string, source: string, index: DagIndex, config: HangarConfig = DEFAULT_CONFIG): Finding[] {
  const rule = ruleById('duplicate-dag-id');
  const severity = rule ? effectiveSeverity(rule, config) : 'off';
  if (!rule || severity === 'off') return [];
  const findings = index.duplicatesIn(path).map((duplicate): Finding => ({
    ruleId: rule.id,
    severity,
    range: duplicate.range,
    message: duplicateMessage(duplicate.dagId, duplicate.otherFiles),
  }));
  return finish(findings, source);
}

function finish(findings: Finding[], source: string): Finding[] {
  const noqa = parseNoqa(source);
  const kept = noqa.size === 0 ? findings : findings.filter((f) => !isSuppressed(f, ruleById(f.ruleId)?.name, noqa));
  return kept.sort(compareFindings);
}

export function compareFindings(a: Finding, b: Finding): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.ruleId.localeCompare(b.ruleId);
}

function isNode(at: Node | Range): at is Node {
  return typeof (at as Node).startIndex === 'number';
}

function internalError(rule: Rule, error: unknown): Finding {
  const message = error instanceof Error ? error.message : String(error);
  return {
    ruleId: rule.id,
    severity: 'hint',
    message: `Hangar rule ${rule.id} failed on this file (${message}); please report it.`,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  };
}
