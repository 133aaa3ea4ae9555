// Scans a namespace of a DAGs folder in a tight loop while deploys switch it, and reports what it saw.
// Usage: node reader.mjs DAGS_FOLDER NAMESPACE FILES_PER_RELEASE STOP_FILE MODE EXPECTED_JSON
//   MODE pinned:   resolves the namespace link once per scan and reads under the resolved folder
//                  (LocalDagBundle(pin_symlink_on_refresh=True), git-sync readers)
//   MODE per-file: lists and opens every file through the link, as Airflow's DAG processor does
// EXPECTED_JSON maps each release marker to { file name: sha256 of its content in that release }.
// Every file read must be whole and byte-identical to one release's copy; a scan that read files of two releases
// is a "mixed" scan (a violation for a pinned reader, counted for a per-file one).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [dags, namespace, expectedFiles, stopFile, mode, expectedJson] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(expectedJson, 'utf8'));
const result = { scans: 0, filesRead: 0, mixedScans: 0, releasesSeen: [], violations: [] };
const seen = new Set();
const link = path.join(dags, namespace);
while (!existsSync(stopFile)) {
  let root = link;
  if (mode === 'pinned') {
    try {
      root = realpathSync(link);
    } catch (error) {
      result.violations.push(`link unresolvable: ${error.code}`);
      continue;
    }
  }
  const markers = new Set();
  let files = 0;
  try {
    for (const name of readdirSync(root)) {
      if (!name.endsWith('.py')) continue;
      const bytes = readFileSync(path.join(root, name));
      const marker = /^# release (\S+)\n/.exec(bytes.toString('utf8'))?.[1];
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (!marker || expected[marker]?.[name] !== digest) result.violations.push(`${name} (${bytes.length} bytes) is not any release's copy`);
      else markers.add(marker);
      files++;
    }
  } catch (error) {
    result.violations.push(`scan failed: ${error.code ?? error.message}`);
    continue;
  }
  if (markers.size > 1) {
    result.mixedScans++;
    if (mode === 'pinned') result.violations.push(`mix of releases ${[...markers].join(', ')} in one scan`);
  }
  if (files !== Number(expectedFiles)) result.violations.push(`incomplete release: ${files} files`);
  for (const m of markers) seen.add(m);
  result.filesRead += files;
  result.scans++;
}
result.releasesSeen = [...seen];
writeFileSync(stopFile + '.result', JSON.stringify(result));
