const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Text from outside Hangar (Airflow's answers, DAG files, catalogs, what a DAG printed) made safe for a terminal:
 * every control character is shown escaped (`\u001b`), never sent, so an escape sequence cannot rewrite the screen,
 * the window title or the clipboard. Line breaks and tabs are kept unless `oneLine`.
 */
export function printable(text: string, options: { oneLine?: boolean } = {}): string {
  return text.replace(/\p{Cc}/gu, (c) => {
    if (!options.oneLine && (c === '\n' || c === '\t')) return c;
    return NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
