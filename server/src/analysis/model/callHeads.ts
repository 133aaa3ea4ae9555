import type { Tree } from '../parser';

/** Where the text of a call starts: `name(` or `a.b.c(`, found in the source, not yet checked against the tree. */
export interface CallHead {
  readonly index: number;
  /** Where the callee's text ends (before any space and the parenthesis). */
  readonly calleeEnd: number;
  /** Without spaces: `requests.get`. */
  readonly callee: string;
}

/**
 * A callee starts a word that is not an attribute and not the name a `def` or `class` defines. The first
 * lookbehind also keeps the scan linear: a match can only start at the first letter of a word.
 */
const CALL_HEAD = /(?<![\w.])(?<!\b(?:def|class)[ \t]+)([A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)[ \t]*\(/g;

const cache = new WeakMap<Tree, readonly CallHead[]>();

/**
 * Every call head of the source in order, scanned once per tree and shared by the model builder and the rules.
 * Matches inside strings or comments are kept: they resolve to no call in the tree.
 */
export function callHeads(tree: Tree, source: string): readonly CallHead[] {
  let heads = cache.get(tree);
  if (!heads) {
    heads = Array.from(source.matchAll(CALL_HEAD), (match) => ({
      index: match.index,
      calleeEnd: match.index + match[0].replace(/[ \t]*\($/, '').length,
      callee: match[1]!.replace(/\s+/g, ''),
    }));
    cache.set(tree, heads);
  }
  return heads;
}
