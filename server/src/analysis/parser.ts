import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

export type { Edit, Node, Parser, Point, Tree } from 'web-tree-sitter';

// The part of the WebAssembly API used here: TypeScript declares it only in the DOM library, which the server lacks.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- the global namespace as the DOM library declares it
  namespace WebAssembly {
    class Module {
      constructor(bytes: Uint8Array);
    }
    class Instance {
      constructor(module: Module, imports: Imports);
    }
    type Imports = Record<string, Record<string, unknown>>;
  }
}

let loading: Promise<Language> | undefined;

/** Folders that may hold the two `.wasm` files: next to the bundle, or in node_modules when run from source. */
function wasmCandidates(): string[] {
  const candidates = [path.join(__dirname, '..', 'wasm'), path.join(__dirname, 'wasm')];
  for (const installed of ['web-tree-sitter', 'tree-sitter-wasms/out/tree-sitter-python.wasm']) {
    try {
      candidates.push(path.dirname(require.resolve(installed)));
    } catch {
      // not installed: only the bundled copy can be used
    }
  }
  return candidates;
}

function locate(file: string): string {
  for (const dir of wasmCandidates()) {
    const candidate = path.join(dir, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`Hangar cannot find ${file}; reinstall the extension or run "npm run build".`);
}

/** The runtime's and the grammar's WebAssembly, compiled: a worker thread given them instantiates them without compiling. */
export interface CompiledWasm {
  readonly runtime: WebAssembly.Module;
  readonly python: WebAssembly.Module;
}

let compiled: CompiledWasm | undefined;

/** This thread's compiled modules (compiled once; V8 shares their code with the threads they are sent to). */
export function compiledWasm(): CompiledWasm {
  compiled ??= {
    runtime: new WebAssembly.Module(readFileSync(locate('tree-sitter.wasm'))),
    python: new WebAssembly.Module(readFileSync(locate('tree-sitter-python.wasm'))),
  };
  return compiled;
}

type Loader = (binary: Uint8Array | WebAssembly.Module, ...rest: unknown[]) => unknown;

/**
 * Loads the Python grammar once per thread, from `wasm` (by default compiled here). web-tree-sitter 0.25 compiles
 * what it is given as bytes; Emscripten's own loader, which it puts on the options object of `Parser.init`, also
 * takes a compiled module, so `Language.load` is routed to it.
 */
export function loadPython(wasm: CompiledWasm = compiledWasm()): Promise<Language> {
  loading ??= (async () => {
    const binding: Record<string, unknown> = {
      instantiateWasm: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
        done(new WebAssembly.Instance(wasm.runtime, imports), wasm.runtime);
        return {};
      },
    };
    await Parser.init(binding);
    const load = binding.loadWebAssemblyModule as Loader | undefined;
    if (typeof load !== 'function') return Language.load(locate('tree-sitter-python.wasm')); // another binding layout
    binding.loadWebAssemblyModule = (_bytes: Uint8Array, ...rest: unknown[]) => load(wasm.python, ...rest);
    try {
      return await Language.load(new Uint8Array(0));
    } finally {
      binding.loadWebAssemblyModule = load;
    }
  })();
  return loading;
}

/** A new parser for Python; parsers are cheap, the language is shared. */
export async function createPythonParser(wasm?: CompiledWasm): Promise<Parser> {
  const language = await loadPython(wasm); // Parser.init() must finish before a Parser is constructed
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
