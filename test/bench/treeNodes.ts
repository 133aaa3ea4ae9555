import type { Tree, TreeCursor } from 'web-tree-sitter';

/** Visits every node of `tree` in document order with one TreeCursor (no node objects are made). */
export function visitNodes(tree: Tree, visit: (cursor: TreeCursor) => void): void {
  const cursor = tree.walk();
  try {
    for (let more = true; more;) {
      visit(cursor);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          more = false;
          break;
        }
      }
    }
  } finally {
    cursor.delete();
  }
}
