import { buildModel } from '../../analysis/model/build';
import type { DagFileModel } from '../../analysis/model/types';
import { createPythonParser, type Parser, type Tree } from '../../analysis/parser';

let parserReady: Promise<Parser> | undefined;

/** Parses `text`, builds its DAG model and hands both to `read` while the tree is alive (freed afterwards). */
export async function withFileModel<T>(text: string, read: (model: DagFileModel, tree: Tree) => T): Promise<T> {
  parserReady ??= createPythonParser();
  const tree = (await parserReady).parse(text);
  if (!tree) throw new Error('Hangar could not parse the file.');
  try {
    return read(buildModel(tree, text), tree);
  } finally {
    tree.delete();
  }
}
