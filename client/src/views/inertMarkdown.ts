/**
 * Text from a history or an Airflow answer (commit subjects, error messages, reasons, DAG and run ids) as inert
 * Markdown on one line: no HTML, links, emphasis or table breaks, whatever it contains. A lone carriage return ends a
 * Markdown line too.
 */
export function inert(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]()#|!~]/g, (c) => `\\${c}`)
    .replace(/\s*[\r\n]+\s*/g, ' ');
}
