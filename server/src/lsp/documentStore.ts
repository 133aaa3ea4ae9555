import { TextDocument, type Range, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Edit, Point, Tree } from '../analysis/parser';

const READ_CHUNK = 8192;

/** The part of web-tree-sitter's Parser the store needs. */
export interface TreeParser {
  parse(source: string | ((index: number) => string), oldTree?: Tree | null): Tree | null;
}

/** One open (or background-loaded) document: its text and the syntax tree of exactly that text. */
export interface StoredDocument {
  readonly uri: string;
  readonly document: TextDocument;
  /** Parsed lazily: undefined after an edit until `tree()` is called. */
  parsed?: Tree;
  /** The previous tree with every edit since its parse applied, ready to be re-used by the next parse. */
  edited?: Tree;
}

/**
 * Where a replacement of `range` by `text` moves things, in the units web-tree-sitter uses.
 * web-tree-sitter parses JavaScript strings as UTF-16, so its indexes and columns are UTF-16 code
 * units — the same units as LSP positions and TextDocument offsets (checked by a non-ASCII unit test).
 */
export function treeEdit(document: TextDocument, change: { range: Range; text: string }): Edit {
  const startIndex = document.offsetAt(change.range.start);
  const oldEndIndex = document.offsetAt(change.range.end);
  const startPosition = toPoint(document, startIndex);
  const oldEndPosition = toPoint(document, oldEndIndex);
  const lastBreak = change.text.lastIndexOf('\n');
  const newEndPosition: Point =
    lastBreak < 0
      ? { row: startPosition.row, column: startPosition.column + change.text.length }
      : { row: startPosition.row + countLineBreaks(change.text), column: change.text.length - lastBreak - 1 };
  return { startIndex, oldEndIndex, newEndIndex: startIndex + change.text.length, startPosition, oldEndPosition, newEndPosition };
}

function toPoint(document: TextDocument, offset: number): Point {
  const { line, character } = document.positionAt(offset);
  return { row: line, column: character };
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count += 1;
  return count;
}

/**
 * Owns `uri -> { text, version, tree }`: applies incremental LSP changes to the text and, with
 * `incremental`, to the previous syntax tree, so the next parse re-uses every unchanged subtree.
 */
export class DocumentStore {
  private readonly documents = new Map<string, StoredDocument>();

  constructor(
    private readonly parser: TreeParser,
    private readonly incremental = true,
  ) {}

  open(uri: string, text: string, version: number, languageId = 'python'): StoredDocument {
    this.close(uri);
    const stored: StoredDocument = { uri, document: TextDocument.create(uri, languageId, version, text) };
    this.documents.set(uri, stored);
    return stored;
  }

  /** Applies the changes in order; returns undefined for a document that is not open. */
  change(uri: string, changes: readonly TextDocumentContentChangeEvent[], version: number): StoredDocument | undefined {
    const stored = this.documents.get(uri);
    if (!stored) return undefined;
    for (const change of changes) {
      if (this.incremental && 'range' in change) {
        const previous = stored.parsed ?? stored.edited;
        if (previous) {
          previous.edit(treeEdit(stored.document, change));
          stored.edited = previous;
          stored.parsed = undefined;
        }
      } else {
        this.dropTrees(stored);
      }
      TextDocument.update(stored.document, [change], version);
    }
    if (changes.length === 0) TextDocument.update(stored.document, [], version);
    return stored;
  }

  get(uri: string): StoredDocument | undefined {
    return this.documents.get(uri);
  }

  /** The tree of the current text, parsing (incrementally when an edited tree is kept) only when needed. */
  tree(stored: StoredDocument): Tree | undefined {
    if (stored.parsed) return stored.parsed;
    const old = stored.edited;
    const text = stored.document.getText();
    // Handing web-tree-sitter chunks is faster than the whole string, which it re-slices at every read.
    const chunks = (index: number): string => text.slice(index, index + READ_CHUNK);
    let tree = this.parser.parse(chunks, old ?? null) ?? undefined;
    if (old && tree?.rootNode.hasError) {
      // Error recovery depends on the subtrees reused from the old tree: text with a syntax error is parsed again
      // from scratch, so the editor reports exactly what a fresh parse (`hangar check`) reports.
      tree.delete();
      tree = this.parser.parse(chunks) ?? undefined;
    }
    old?.delete();
    stored.edited = undefined;
    stored.parsed = tree;
    return tree;
  }

  close(uri: string): void {
    const stored = this.documents.get(uri);
    if (!stored) return;
    this.dropTrees(stored);
    this.documents.delete(uri);
  }

  uris(): IterableIterator<string> {
    return this.documents.keys();
  }

  dispose(): void {
    for (const uri of [...this.documents.keys()]) this.close(uri);
  }

  private dropTrees(stored: StoredDocument): void {
    stored.parsed?.delete();
    if (stored.edited !== stored.parsed) stored.edited?.delete();
    stored.parsed = undefined;
    stored.edited = undefined;
  }
}
