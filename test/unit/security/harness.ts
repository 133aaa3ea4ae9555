import { analyzeSource } from '../../../server/src/analysis/engine';
import type { Finding } from '../../../server/src/analysis/findings';
import { buildModel } from '../../../server/src/analysis/model/build';
import type { DagFileModel } from '../../../server/src/analysis/model/types';
import { isSuppressed, parseNoqa } from '../../../server/src/analysis/noqa';
import { createPythonParser } from '../../../server/src/analysis/parser';
import type { Tree } from '../../../server/src/analysis/parser';
import type { Rule } from '../../../server/src/analysis/rules/rule';
import { securityRules } from '../../../server/src/analysis/rules/security';
import { DEFAULT_TARGET } from '../../../server/src/analysis/target';

type Parser = Awaited<ReturnType<typeof createPythonParser>>;
let parser: Parser | undefined;

export async function parse(source: string): Promise<Tree> {
  parser ??= await createPythonParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

const SECURITY_IDS = new Set(securityRules.map((rule) => rule.id));

/** The security findings of the real engine for one file (model, catalog, config defaults, `# noqa`). */
export async function analyzeSecurity(source: string, path = 'dags/example.py'): Promise<Finding[]> {
  const { findings } = await analyzeSource({ path, source });
  return findings.filter((finding) => SECURITY_IDS.has(finding.ruleId));
}

/** Runs only the given rules over a parsed file with a given model, for tests and measurements of the rules alone. */
export function runRules(tree: Tree, source: string, path: string, rules: readonly Rule[] = securityRules, model: DagFileModel = buildModel(tree, source)): Finding[] {
  const noqa = parseNoqa(source);
  const findings: Finding[] = [];
  for (const rule of rules) {
    rule.check({
      path,
      source,
      tree,
      model,
      target: DEFAULT_TARGET,
      report(at, message, fix) {
        const range = 'startPosition' in at
          ? { start: { line: at.startPosition.row, character: at.startPosition.column }, end: { line: at.endPosition.row, character: at.endPosition.column } }
          : at;
        const finding: Finding = { ruleId: rule.id, message, severity: rule.severity, range, ...(fix ? { fix } : {}) };
        if (!isSuppressed(finding, rule.name, noqa)) findings.push(finding);
      },
    });
  }
  return findings;
}
