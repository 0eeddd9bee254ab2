// Runs every `js` example of docs/versioning.md against the built package (dist/, built by the
// global setup), each in a fresh directory, and checks what it prints.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp.js';

const root = path.resolve(import.meta.dirname, '../..');
const doc = fs.readFileSync(path.join(root, 'docs/versioning.md'), 'utf8');
const blocks = [...doc.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const dist = pathToFileURL(path.join(root, 'dist/index.js')).href;

/** What each example prints (in order), as its comments say. */
const expected = [
  ["[ 'id', 'title', 'version', 'last_modified' ]", '1 2'],
  ['kept A'],
  ["[ 'x', 'a', 'b' ]"],
  ['3 3'],
  ["[ 'insert e1', 'update e1', 'delete e1' ]"],
  ['2'],
];

function run(code: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = path.join(cwd, 'example.mjs');
  fs.writeFileSync(file, code.replaceAll("from 'sdnwal'", `from '${dist}'`));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (c) => resolve({ code: c, stdout, stderr }));
  });
}

describe('docs/versioning.md examples', () => {
  it('has the examples this test knows', () => {
    expect(blocks).toHaveLength(expected.length);
  });

  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs and prints what its comments say`, async () => {
      const r = await run(code, tmpDir());
      expect(r.code, r.stderr).toBe(0);
      let at = 0;
      for (const want of expected[i]!) {
        const found = r.stdout.indexOf(want, at);
        expect(found, `${JSON.stringify(want)} in ${JSON.stringify(r.stdout)}`).toBeGreaterThanOrEqual(0);
        at = found + want.length;
      }
    });
  });
});
