import { catalog, FAMILY_TITLES } from './catalog';
import type { RuleFamily } from './rule';

const FAMILIES: RuleFamily[] = ['import-error', 'airflow3', 'practice', 'security'];

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README rule table, one section per family, generated from the catalog. */
export function ruleTableMarkdown(): string {
  const parts: string[] = [];
  for (const family of FAMILIES) {
    const rules = catalog.filter((rule) => rule.family === family);
    if (rules.length === 0) continue;
    parts.push(`#### ${FAMILY_TITLES[family]} (${rules.length})`, '', '| Id | Name | Default | Fix | What it finds |', '| --- | --- | --- | --- | --- |');
    for (const rule of rules) {
      const fix = rule.safeFix ? 'safe' : '';
      parts.push(`| ${rule.id} | \`${rule.name}\` | ${rule.severity} | ${fix} | ${cell(rule.title)} |`);
    }
    parts.push('');
  }
  return parts.join('\n').trimEnd() + '\n';
}

export const RULES_START = '<!-- rules:start -->';
export const RULES_END = '<!-- rules:end -->';

/** `readme` with the text between the rule markers replaced by the generated table; undefined when markers are missing. */
export function withRuleTable(readme: string): string | undefined {
  const start = readme.indexOf(RULES_START);
  const end = readme.indexOf(RULES_END);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + RULES_START.length)}\n${ruleTableMarkdown()}${readme.slice(end)}`;
}
