// node-pg-migrate 9 declares its types through package.json "exports", which this project's "node" module
// resolution does not read: point the package name at its declarations.
declare module 'node-pg-migrate' {
  export * from 'node-pg-migrate/dist/bundle/index';
}
