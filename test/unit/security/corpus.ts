import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { securityRules } from '../../../server/src/analysis/rules/security';
import { analyzeSecurity } from './harness';

export const CORPUS = path.join(__dirname, '..', '..', 'fixtures', 'security');

/** `# expect: HGR301` marks a finding on this line; `# expect: HGR302@-2` one two lines above. */
const EXPECT = /#\s*expect:\s*(HGR\d{3})(?:@(-?\d+))?/g;

export interface Outcome {
  readonly file: string;
  readonly ruleId: string;
  readonly line: number;
}

export interface RuleScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export interface CorpusScore {
  readonly files: number;
  readonly perRule: Map<string, RuleScore>;
  readonly total: RuleScore;
  readonly falsePositives: Outcome[];
  readonly falseNegatives: Outcome[];
}

export function expectations(source: string): Set<string> {
  const expected = new Set<string>();
  source.split('\n').forEach((text, line) => {
    for (const match of text.matchAll(EXPECT)) expected.add(`${match[1]}:${line + Number(match[2] ?? 0)}`);
  });
  return expected;
}

/** Runs the security rules over every fixture and scores findings against the `# expect:` markers. */
export async function scoreCorpus(): Promise<CorpusScore> {
  const perRule = new Map(securityRules.map((rule) => [rule.id, { truePositives: 0, falsePositives: 0, falseNegatives: 0 }]));
  const falsePositives: Outcome[] = [];
  const falseNegatives: Outcome[] = [];
  let files = 0;
  for (const kind of ['tp', 'fp']) {
    for (const name of readdirSync(path.join(CORPUS, kind)).filter((file) => file.endsWith('.py')).sort()) {
      files++;
      const file = `${kind}/${name}`;
      const source = readFileSync(path.join(CORPUS, file), 'utf8');
      const expected = expectations(source);
      const found = new Set((await analyzeSecurity(source, file)).map((f) => `${f.ruleId}:${f.range.start.line}`));
      for (const key of found) {
        const [ruleId, line] = key.split(':') as [string, string];
        const score = perRule.get(ruleId)!;
        if (expected.has(key)) score.truePositives++;
        else {
          score.falsePositives++;
          falsePositives.push({ file, ruleId, line: Number(line) + 1 });
        }
      }
      for (const key of expected) {
        if (found.has(key)) continue;
        const [ruleId, line] = key.split(':') as [string, string];
        perRule.get(ruleId)!.falseNegatives++;
        falseNegatives.push({ file, ruleId, line: Number(line) + 1 });
      }
    }
  }
  const total = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
  for (const score of perRule.values()) {
    total.truePositives += score.truePositives;
    total.falsePositives += score.falsePositives;
    total.falseNegatives += score.falseNegatives;
  }
  return { files, perRule, total, falsePositives, falseNegatives };
}

export function precision(score: RuleScore): number {
  const reported = score.truePositives + score.falsePositives;
  return reported === 0 ? 1 : score.truePositives / reported;
}

export function recall(score: RuleScore): number {
  const expected = score.truePositives + score.falseNegatives;
  return expected === 0 ? 1 : score.truePositives / expected;
}

export function formatScore(score: CorpusScore): string {
  const lines = ['rule     TP  FP  FN  precision  recall'];
  const row = (id: string, s: RuleScore) =>
    `${id.padEnd(7)} ${String(s.truePositives).padStart(3)} ${String(s.falsePositives).padStart(3)} ${String(s.falseNegatives).padStart(3)}  ${precision(s).toFixed(3).padStart(9)}  ${recall(s).toFixed(3).padStart(6)}`;
  for (const [id, s] of score.perRule) lines.push(row(id, s));
  lines.push(row('total', score.total));
  lines.push(`security corpus: ${score.files} files, precision ${precision(score.total).toFixed(3)}, recall ${recall(score.total).toFixed(3)}`);
  for (const o of score.falsePositives) lines.push(`  false positive ${o.ruleId} ${o.file}:${o.line}`);
  for (const o of score.falseNegatives) lines.push(`  missed ${o.ruleId} ${o.file}:${o.line}`);
  return lines.join('\n');
}

if (require.main === module) {
  void scoreCorpus().then((score) => console.log(formatScore(score)));
}
