// Replaced at build time by esbuild's `define`; "dev" when run from source.
declare const HANGAR_VERSION: string | undefined;
export const version: string = typeof HANGAR_VERSION === 'string' ? HANGAR_VERSION : 'dev';
