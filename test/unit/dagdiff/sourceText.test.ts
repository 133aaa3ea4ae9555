import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createPythonParser, type Parser } from '../../../server/src/analysis/parser';
import { canonicalText } from '../../../server/src/dagdiff/sourceText';

describe('canonicalText', () => {
  let parser: Parser;
  before(async () => {
    parser = await createPythonParser();
  });
  const canonical = (source: string): string => {
    const tree = parser.parse(source)!;
    try {
      return canonicalText(tree.rootNode);
    } finally {
      tree.delete();
    }
  };

  test('layout, comments, line continuations, trailing commas and quote style do not count', () => {
    const forms = [
      'f(a, "b", c=[1, 2])\n',
      'f(a,\n  "b",   # why\n  c=[\n    1,\n    2,\n  ],\n)\n',
      "f( a , 'b' , c = [1 ,2] )\n",
      'f(a, \\\n  "b", c=[1, 2],)\n',
    ];
    assert.deepEqual(forms.map(canonical), Array(forms.length).fill('f(a, "b", c=[1, 2])'));
  });

  test('readable spacing: operators, dict entries, lambdas, keywords', () => {
    assert.equal(canonical('x=a>>b\n'), 'x = a >> b');
    assert.equal(canonical('{"k":1,"v":lambda:None}\n'), '{"k": 1, "v": lambda: None}');
    assert.equal(canonical('[x for x in y if not x]\n'), '[x for x in y if not x]');
    assert.equal(canonical('f(*args,**kw)\n'), 'f(*args, **kw)');
    assert.equal(canonical('a if b else"c"\n'), 'a if b else "c"');
  });

  test('what Python reads differently stays different', () => {
    assert.notEqual(canonical('if a:\n    b()\nc()\n'), canonical('if a:\n    b()\n    c()\n'), 'indentation moves a statement into the block');
    assert.notEqual(canonical('x = "a  b"\n'), canonical('x = "a b"\n'), 'whitespace inside a string is part of the value');
    assert.notEqual(canonical('x = (1,)\n'), canonical('x = (1)\n'), 'a one-element tuple keeps its comma');
    assert.equal(canonical('x = 1,\n'), 'x = 1,');
    assert.notEqual(canonical("x = 'a\\n'\n"), canonical('x = "a\\\\n"\n'));
  });

  test('strings with prefixes, escapes or inner quotes keep their form', () => {
    assert.equal(canonical("x = f'{a}'\n"), "x = f'{a}'");
    assert.equal(canonical("x = r'\\d'\n"), "x = r'\\d'");
    assert.equal(canonical(`x = 'say "hi"'\n`), `x = 'say "hi"'`);
    assert.equal(canonical("x = '''a\n b'''\n"), 'x = """a\n b"""');
  });
});
