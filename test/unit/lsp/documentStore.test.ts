import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createPythonParser, type Node, type Tree } from '../../../server/src/analysis/parser';
import { DocumentStore } from '../../../server/src/lsp/documentStore';

const DAG = `from airflow.sdk import dag, task
from airflow.providers.standard.operators.bash import BashOperator

# Café owners' report — résumé of the day 😀
@dag(dag_id="café_report", schedule="@daily")
def cafe_report():
    greet = BashOperator(task_id="greet", bash_command="echo 'héllo wörld 😀'")

    @task
    def total(amount: int = 3) -> int:
        return amount * 2

    greet >> total()

cafe_report()
`;

let parser: Parser;
before(async () => {
  parser = await createPythonParser();
});

/** Every node with its type and exact span: two trees with the same shape print the same. */
function shape(tree: Tree): string {
  const lines: string[] = [];
  const walk = (node: Node, depth: number): void => {
    lines.push(`${' '.repeat(depth)}${node.type} ${node.startIndex}-${node.endIndex} ${node.startPosition.row}:${node.startPosition.column}-${node.endPosition.row}:${node.endPosition.column}`);
    for (const child of node.children) if (child) walk(child, depth + 1);
  };
  walk(tree.rootNode, 0);
  return lines.join('\n');
}

function fullParse(text: string): string {
  const tree = parser.parse(text)!;
  try {
    return shape(tree);
  } finally {
    tree.delete();
  }
}

function positionOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
}

test('web-tree-sitter indexes and columns are UTF-16 code units, like LSP positions', () => {
  const text = 'x = "héllo😀"\ny = 1\n';
  const tree = parser.parse(text)!;
  const second = tree.rootNode.child(1)!;
  assert.equal(second.startIndex, text.indexOf('y ='), 'UTF-16 offset, not the UTF-8 byte offset 17');
  const string = tree.rootNode.child(0)!.child(0)!.child(2)!;
  assert.equal(string.endPosition.column, '"héllo😀"'.length + 4);
  tree.delete();
});

test('an incremental edit after non-ASCII text gives the same tree as a full parse', () => {
  const store = new DocumentStore(parser);
  const uri = 'file:///dags/cafe.py';
  const stored = store.open(uri, DAG, 1);
  store.tree(stored);
  const at = DAG.indexOf('greet >> total()');
  const start = positionOf(DAG, at);
  store.change(uri, [{ range: { start, end: { line: start.line, character: start.character + 5 } }, text: 'hello_ünïcode😀' }], 2);
  const edited = store.tree(store.get(uri)!)!;
  const expected = DAG.slice(0, at) + 'hello_ünïcode😀' + DAG.slice(at + 5);
  assert.equal(store.get(uri)!.document.getText(), expected);
  assert.equal(shape(edited), fullParse(expected));
  store.dispose();
});

test('200 random edits (inserts, deletes, line breaks, emoji), parsed after each batch, match full parses', () => {
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const pieces = ['x', ' ', '\n', '😀', 'é', '"', '(', ')', '>>', 'task_id="t"', '\n    ', '#'];
  const store = new DocumentStore(parser);
  const uri = 'file:///dags/random.py';
  let text = DAG;
  store.tree(store.open(uri, text, 1));
  for (let version = 2; version < 202; version++) {
    const changes = [];
    for (let k = 0; k < 1 + random(3); k++) {
      // Never split a surrogate pair: editors do not either.
      let start = random(text.length + 1);
      if (/[\uDC00-\uDFFF]/.test(text[start] ?? '')) start -= 1;
      let end = Math.min(text.length, start + random(4));
      if (/[\uDC00-\uDFFF]/.test(text[end] ?? '')) end += 1;
      const insert = random(2) ? pieces[random(pieces.length)]! : '';
      changes.push({ range: { start: positionOf(text, start), end: positionOf(text, end) }, text: insert });
      text = text.slice(0, start) + insert + text.slice(end);
    }
    store.change(uri, changes, version);
    assert.equal(store.get(uri)!.document.getText(), text);
    if (version % 5 === 0) assert.equal(shape(store.tree(store.get(uri)!)!), fullParse(text), `after version ${version}`);
  }
  store.dispose();
});

test('a full-text change (no range) replaces the text and the next tree is a fresh parse', () => {
  const store = new DocumentStore(parser);
  const uri = 'file:///dags/full.py';
  store.tree(store.open(uri, DAG, 1));
  store.change(uri, [{ text: 'x = 1\n' }], 2);
  assert.equal(shape(store.tree(store.get(uri)!)!), fullParse('x = 1\n'));
  store.dispose();
});

test('with incremental parsing off the trees are still right', () => {
  const store = new DocumentStore(parser, false);
  const uri = 'file:///dags/off.py';
  store.tree(store.open(uri, DAG, 1));
  store.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# é\n' }], 2);
  assert.equal(shape(store.tree(store.get(uri)!)!), fullParse(`# é\n${DAG}`));
  store.dispose();
});
