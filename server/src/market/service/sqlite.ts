import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';

function whyNotLoaded(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if ((error as { code?: string }).code === 'MODULE_NOT_FOUND' && message.includes("'better-sqlite3'")) return 'is not installed next to this hangar';
  if (message.startsWith('Could not locate the bindings file')) return 'is installed but was never compiled (its install script did not run or failed)';
  return `cannot be loaded here (${message.split('\n')[0]})`;
}

/**
 * The native SQLite module, loaded only when the marketplace service opens its database, so every other command
 * works where better-sqlite3 is missing or was never compiled (a CLI installed without build tools, or run from
 * the VSIX). Loading it twice is free: Node caches the module.
 */
function betterSqlite3(): typeof BetterSqlite3 {
  try {
    const Database = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
    // require() alone succeeds without the compiled addon; the first database loads it.
    new Database(':memory:').close();
    return Database;
  } catch (error) {
    throw new Error(
      `the marketplace service stores ratings, reviews and tokens with the native module better-sqlite3, which ${whyNotLoaded(error)}. ` +
        'Every other hangar command works without it. To run the service, install a C/C++ compiler, make and Python 3 ' +
        '(Debian: sudo apt-get install -y build-essential python3) and install the hangar tarball again with npm install -g, which builds better-sqlite3; ' +
        'the CLI inside the VSIX has no native modules.',
    );
  }
}

/** Opens (or, unless `options` say otherwise, creates) the SQLite database `file`. */
export function openSqlite(file: string, options?: BetterSqlite3.Options): BetterSqlite3.Database {
  const Database = betterSqlite3();
  return new Database(file, options);
}
