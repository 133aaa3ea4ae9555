import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';

/** A parsed YAML or JSON file that can say on which line a value sits, for error messages. */
export interface LocatedDocument {
  file: string;
  value: unknown;
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export class IndexSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

function parseYaml(text: string, relativeName: string): { doc: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const line = lineCounter.linePos(error.pos[0]).line;
    throw new IndexSyntaxError(relativeName, line, error.message.split('\n')[0] ?? 'syntax error');
  }
  return { doc, lineCounter };
}

/**
 * Parses YAML (and therefore JSON); a syntax error throws IndexSyntaxError with the line. JSON is parsed with
 * JSON.parse (a 5,000-entry index in milliseconds); the YAML parser's positions are built only when a line is asked for.
 */
export function readLocated(file: string, relativeName: string): LocatedDocument {
  const text = readFileSync(file, 'utf8');
  let located: { doc: Document; lineCounter: LineCounter } | undefined;
  let value: unknown;
  if (file.endsWith('.json')) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const position = /position (\d+)/.exec(message);
      // No position in the message: the YAML parser's error locates it (and throws).
      const line = position ? text.slice(0, Number(position[1])).split('\n').length : (parseYaml(text, relativeName), undefined);
      throw new IndexSyntaxError(relativeName, line, `invalid JSON: ${message}`);
    }
  } else {
    located = parseYaml(text, relativeName);
    value = located.doc.toJS({ maxAliasCount: 50 }) as unknown;
  }
  return {
    file: relativeName,
    value,
    lineOf(path) {
      located ??= parseYaml(text, relativeName);
      const { doc, lineCounter } = located;
      for (let depth = path.length; depth >= 0; depth--) {
        const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

export const asStringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(asString).filter((v): v is string => v !== undefined) : [];
