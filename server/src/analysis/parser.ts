import { existsSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

export type { Edit, Node, Parser, Point, Tree } from 'web-tree-sitter';

let loading: Promise<Language> | undefined;

/** Folders that may hold the two `.wasm` files: next to the bundle, or in node_modules when run from source. */
function wasmCandidates(): string[] {
  const candidates = [path.join(__dirname, '..', 'wasm'), path.join(__dirname, 'wasm')];
  try {
    candidates.push(path.dirname(require.resolve('tree-sitter-wasms/out/tree-sitter-python.wasm')));
  } catch {
    // not installed: only the bundled copy can be used
  }
  return candidates;
}

function locate(file: string, fallbackDir?: string): string {
  for (const dir of wasmCandidates()) {
    const candidate = path.join(dir, file);
    if (existsSync(candidate)) return candidate;
  }
  if (fallbackDir && existsSync(path.join(fallbackDir, file))) return path.join(fallbackDir, file);
  throw new Error(`Hangar cannot find ${file}; reinstall the extension or run "npm run build".`);
}

/** Loads the Python grammar once per process. */
export function loadPython(): Promise<Language> {
  loading ??= (async () => {
    await Parser.init({ locateFile: (_name: string, scriptDir: string) => locate('tree-sitter.wasm', scriptDir) });
    return Language.load(locate('tree-sitter-python.wasm'));
  })();
  return loading;
}

/** A new parser for Python; parsers are cheap, the language is shared. */
export async function createPythonParser(): Promise<Parser> {
  const language = await loadPython(); // Parser.init() must finish before a Parser is constructed
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
