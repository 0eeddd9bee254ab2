/**
 * Compile the lock and spool modules to plain JavaScript so child processes (plain node, no
 * TypeScript loader) can use the real FileLock and Spool. The output goes under the repository's
 * node_modules/.cache so the compiled code resolves fs-ext like the sources do.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const made: string[] = [];

/** Returns the directory holding `wal/lock.js`, `wal/spool.js` and their imports. */
export function buildWal(): string {
  const cache = path.join(root, 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const out = fs.mkdtempSync(path.join(cache, 'sdnwal-test-build-'));
  made.push(out);
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // --noCheck: only emit; other modules of the tree may be mid-edit, and vitest type-checks nothing either.
  execFileSync(process.execPath, [
    tsc, '--outDir', out, '--rootDir', path.join(root, 'src'),
    '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
    '--types', 'node', '--skipLibCheck', '--noCheck',
    path.join(root, 'src/types/fs-ext.d.ts'), path.join(root, 'src/wal/lock.ts'), path.join(root, 'src/wal/spool.ts'),
  ], { stdio: 'pipe' });
  return out;
}

afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
