/**
 * Compile the whole library to plain JavaScript for child processes (plain node, no TypeScript
 * loader), under node_modules/.cache so it resolves its dependencies like the sources do.
 * `--noCheck`: emit only; other modules may be mid-edit and vitest type-checks nothing either.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const made: string[] = [];

/** Returns the path of the compiled `index.js`. */
export function buildLibrary(): string {
  const cache = path.join(root, 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const out = fs.mkdtempSync(path.join(cache, 'sdnwal-snapshot-build-'));
  made.push(out);
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [
    tsc, '--outDir', out, '--rootDir', path.join(root, 'src'),
    '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
    '--types', 'node', '--skipLibCheck', '--noCheck',
    path.join(root, 'src/types/fs-ext.d.ts'), path.join(root, 'src/index.ts'),
  ], { stdio: 'pipe' });
  return path.join(out, 'index.js');
}

afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
