/** One test case of a JUnit XML report (the format CI systems read). */
export interface JUnitCase {
  readonly suite: string;
  readonly name: string;
  readonly timeMs: number;
  readonly failure?: { readonly message: string; readonly details?: string };
}

/** XML 1.0 allows tab, newline and carriage return among the control characters; the others are dropped. */
const allowedInXml = (char: string): boolean => char >= ' ' || char === '\t' || char === '\n' || char === '\r';

const escape = (text: string): string =>
  [...text]
    .filter(allowedInXml)
    .join('')
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function junitXml(cases: readonly JUnitCase[]): string {
  const suites = new Map<string, JUnitCase[]>();
  for (const c of cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="hangar" tests="${cases.length}" failures="${cases.filter((c) => c.failure).length}">`];
  for (const [suite, members] of suites) {
    const seconds = members.reduce((sum, c) => sum + c.timeMs, 0) / 1000;
    lines.push(`  <testsuite name="${escape(suite)}" tests="${members.length}" failures="${members.filter((c) => c.failure).length}" time="${seconds.toFixed(3)}">`);
    for (const c of members) {
      const open = `    <testcase classname="${escape(suite)}" name="${escape(c.name)}" time="${(c.timeMs / 1000).toFixed(3)}"`;
      if (!c.failure) lines.push(`${open}/>`);
      else lines.push(`${open}>`, `      <failure message="${escape(c.failure.message)}">${escape(c.failure.details ?? '')}</failure>`, '    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
