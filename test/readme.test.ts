// Runs every `js` example of README.md against the built package (dist/, built by the global
// setup), each in a fresh directory, and checks what the comments say it prints.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tmpDir } from './helpers/tmp.js';

const root = path.resolve(import.meta.dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const url = (p: string) => pathToFileURL(path.join(root, p)).href;

const expected: string[][] = [
  ["id: 't1'", "status: 'done'", '} 1'],
  ['"# config\\nport: 9090  # the port\\n"'],
  ['CONFLICT', "insert [ 'd1' ]", "update [ 'd1' ]"],
  ['id,title,tags,done\r\n', 't1,"Fix ""parser"", again","[""p1"",""core""]",false\r\n', 't2,Write docs,,\r\n'],
];

describe('README examples', () => {
  it('has the examples this test knows', () => {
    expect(blocks).toHaveLength(expected.length);
  });

  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs and prints what it says`, () => {
      const dir = tmpDir();
      const file = path.join(dir, 'example.mjs');
      fs.writeFileSync(file, code.replaceAll("from 'sdnwal/sdn'", `from '${url('dist/sdn/index.js')}'`).replaceAll("from 'sdnwal'", `from '${url('dist/index.js')}'`));
      const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      let at = 0;
      for (const want of expected[i]!) {
        const found = r.stdout.indexOf(want, at);
        expect(found, `${JSON.stringify(want)} in ${JSON.stringify(r.stdout)}`).toBeGreaterThanOrEqual(0);
        at = found + want.length;
      }
    });
  });
});
