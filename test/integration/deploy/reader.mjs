// Walks a namespace of a DAGs folder in a tight loop, the way a DAG processor would after resolving the link
// once, and reports every walk that saw files of two releases, a partial file or an incomplete release.
// Usage: node reader.mjs DAGS_FOLDER NAMESPACE FILES_PER_RELEASE STOP_FILE
import { existsSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [dags, namespace, expectedFiles, stopFile] = process.argv.slice(2);
const result = { walks: 0, releasesSeen: [], violations: [] };
const seen = new Set();
const link = path.join(dags, namespace);
while (!existsSync(stopFile)) {
  let root;
  try {
    root = realpathSync(link);
  } catch (error) {
    result.violations.push(`link unresolvable: ${error.code}`);
    continue;
  }
  const markers = new Set();
  let files = 0;
  try {
    for (const name of readdirSync(root)) {
      if (!name.endsWith('.py')) continue;
      const text = readFileSync(path.join(root, name), 'utf8');
      const match = /^# release (\S+)\n[\s\S]*# end\n$/.exec(text);
      if (!match) result.violations.push(`partial or foreign file ${name} in ${path.basename(root)}`);
      else markers.add(match[1]);
      files++;
    }
  } catch (error) {
    result.violations.push(`walk of ${path.basename(root)} failed: ${error.code}`);
    continue;
  }
  if (markers.size > 1) result.violations.push(`mix of releases ${[...markers].join(', ')} in one walk`);
  if (files !== Number(expectedFiles)) result.violations.push(`incomplete release ${path.basename(root)}: ${files} files`);
  for (const m of markers) seen.add(m);
  result.walks++;
}
result.releasesSeen = [...seen];
writeFileSync(stopFile + '.result', JSON.stringify(result));
