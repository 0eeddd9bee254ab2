/**
 * Where child processes (plain node, no TypeScript loader) find the compiled library: dist/,
 * built once for the whole suite by test/global-setup.ts.
 */
import path from 'node:path';

const dist = path.resolve(import.meta.dirname, '../../dist');

/** The directory holding `wal/lock.js`, `wal/spool.js` and the rest of the compiled library. */
export function buildWal(): string {
  return dist;
}

/** The path of the compiled `index.js`. */
export function buildLibrary(): string {
  return path.join(dist, 'index.js');
}
