import type { Fix } from '../../findings';
import type { Node } from '../../parser';
import type { Rule } from '../rule';
import { suspiciousCalls } from './calls';
import { keywordArgument } from './syntax';

const PICKLE_LIKE = new Set(['pickle', 'cPickle', '_pickle', 'dill', 'cloudpickle', 'marshal', 'shelve', 'jsonpickle']);
const PICKLE_FUNCTIONS = new Set(['load', 'loads', 'Unpickler', 'decode']);
const SAFE_LOADERS = /(?:^|\.)(?:SafeLoader|CSafeLoader|BaseLoader|CBaseLoader)$/;

export const unsafeDeserialization: Rule = {
  id: 'HGR309',
  name: 'unsafe-deserialization',
  title: 'pickle / yaml.load of untrusted data',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'medium',
  safeFix: true,
  reference: 'bandit B301 (pickle), B302 (marshal), B506 (yaml_load); ruff S301, S506',
  doc: `Unpickling (\`pickle\`, \`dill\`, \`cloudpickle\`, \`marshal\`) and \`yaml.load\` with a full loader construct arbitrary
Python objects, so a crafted file, XCom or API payload runs code on the worker. Exchange JSON, Parquet or YAML read
with \`yaml.safe_load\`. The quick fix turns \`yaml.load(x)\` without a loader into \`yaml.safe_load(x)\`
(PyYAML 6 requires a loader anyway).

**Bad**
\`\`\`python
rows = pickle.loads(ti.xcom_pull(task_ids="extract"))
config = yaml.load(handle, Loader=yaml.Loader)
\`\`\`

**Good**
\`\`\`python
rows = json.loads(ti.xcom_pull(task_ids="extract"))
config = yaml.safe_load(handle)
\`\`\``,
  check(context) {
    for (const { node, name } of suspiciousCalls(context)) {
      const dot = name.lastIndexOf('.');
      const module = name.slice(0, dot);
      const fn = name.slice(dot + 1);
      if (PICKLE_LIKE.has(module) && PICKLE_FUNCTIONS.has(fn)) {
        context.report(node, `${name}() can run code hidden in the data: exchange JSON or Parquet instead.`);
      } else if (module === 'yaml' && fn === 'unsafe_load') {
        context.report(node, 'yaml.unsafe_load() can construct any Python object: use yaml.safe_load().');
      } else if (module === 'yaml' && fn === 'load') {
        const loader = loaderOf(node);
        if (loader && SAFE_LOADERS.test(loader.text)) continue;
        context.report(node, 'yaml.load() without SafeLoader can construct any Python object: use yaml.safe_load().', loader ? undefined : safeLoadFix(node));
      }
    }
  },
};

function loaderOf(call: Node): Node | undefined {
  const keyword = keywordArgument(call, 'Loader')?.childForFieldName('value');
  if (keyword) return keyword;
  const positional = call.childForFieldName('arguments')?.namedChildren.filter((arg) => arg?.type !== 'keyword_argument');
  return positional?.[1] ?? undefined;
}

function safeLoadFix(call: Node): Fix | undefined {
  const callee = call.childForFieldName('function');
  // A bare `load` imported from yaml would need a new import: no fix then.
  const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute') : undefined;
  if (!name) return undefined;
  return {
    title: 'Use yaml.safe_load',
    edits: [{ range: { start: point(name.startPosition), end: point(name.endPosition) }, newText: 'safe_load' }],
  };
}

function point(position: { row: number; column: number }): { line: number; character: number } {
  return { line: position.row, character: position.column };
}
