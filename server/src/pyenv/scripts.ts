import { existsSync } from 'node:fs';
import path from 'node:path';

/** Folder of Hangar's Python helper scripts: `dist/python` next to the bundles, `server/python` from source. */
export function pythonScript(name: string): string {
  for (const dir of [path.join(__dirname, '..', 'python'), path.join(__dirname, '..', '..', 'python')]) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new Error(`Hangar's helper script ${name} is missing; reinstall the extension or run "npm run build".`);
}
