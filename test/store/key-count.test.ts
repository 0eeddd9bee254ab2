/** count() before any read counts keys from the bytes of the log: it agrees with all() on every history. */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStore, type Table } from '../../src/index.js';
import type { SdnwalError } from '../../src/errors.js';
import { KeyByteSet } from '../../src/store/key-byte-set.js';
import { tmpDir } from '../helpers/tmp.js';

// Keys the snapshot writes as plain quoted strings and keys it escapes (read by parsing the line).
const key = fc.constantFrom('a', 'b', 'é', '日本', '😀', 'k-1', 'K-1', 'x'.repeat(40), '1', '01', 'q"uote', 'back\\slash', 'line\nbreak', 'tab\t');
// The key column first, last, or the columns left undeclared.
const columns = fc.constantFrom(['id', 'n'], ['n', 'id'], undefined);
const op = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), key, n: fc.integer() }),
  fc.record({ op: fc.constant('update' as const), key, n: fc.integer() }),
  fc.record({ op: fc.constant('delete' as const), key }),
  fc.record({ op: fc.constant('compact' as const) }),
);

describe('count() from keys', () => {
  it('equals the number of rows all() returns, across inserts, updates, deletes and compactions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), fc.boolean(), columns, async (ops, batched, cols) => {
        const dir = tmpDir();
        const s = await openStore(dir, { sync: 'none' });
        const t = await s.table('t', { key: 'id', ...(cols && { columns: cols }) });
        for (const o of ops) {
          if (o.op === 'insert') await (batched ? t.insertMany([{ id: o.key, n: o.n }, { id: `${o.key}+`, n: o.n }]) : t.insert({ id: o.key, n: o.n }));
          else if (o.op === 'update') await t.update({ id: o.key, n: o.n });
          else if (o.op === 'delete') await t.delete(o.key);
          else await t.compact();
        }
        await s.close();
        const fresh = await openStore(dir);
        const counted = await (await fresh.table('t')).count();
        await fresh.close();
        const again = await openStore(dir);
        const rows = await (await again.table('t')).all();
        await again.close();
        expect(counted).toBe(rows.length);
      }),
      { numRuns: 60 },
    );
  });

  it('reads the snapshot keys from its row lines: deletes and re-inserts logged above it, of plain and escaped keys, count right', async () => {
    for (const columns of [['id', 'n'], ['n', 'id'], undefined]) {
      const dir = tmpDir();
      const s = await openStore(dir, { sync: 'none' });
      const t = await s.table('t', { key: 'id', ...(columns && { columns }) });
      const keys = ['a', 'q"uote', 'back\\slash', 'b', 'line\nbreak', 'c', '日本', 'd'];
      await t.insertMany(keys.map((id, n) => ({ id, n })));
      await t.compact();
      // Above the snapshot: the first key of the file and the escaped ones deleted, others written again.
      for (const k of ['a', 'q"uote', 'line\nbreak']) await t.delete(k);
      for (const k of ['b', 'back\\slash', 'new']) await t.insert({ id: k, n: 99 });
      await s.close();
      const fresh = await openStore(dir);
      expect(await (await fresh.table('t')).count()).toBe(6);
      await fresh.close();
    }
  });

  it('a snapshot whose rows header does not parse: count() with writes above it is CORRUPT_SNAPSHOT, as all() is (not SDN_PARSE)', async () => {
    for (const header of ['t |id, id|', 't |id, n', 't |"id, n|']) {
      const dir = tmpDir();
      const s = await openStore(dir, { sync: 'none' });
      const t = await s.table('t', { key: 'id', columns: ['id', 'n'] });
      await t.insertMany([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
      await t.compact();
      await t.insert({ id: 'c', n: 3 });
      await s.close();
      const file = path.join(dir, 't.sdn');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('t |id, n|', header));
      const outcome = async (fn: (t: Table) => Promise<number>): Promise<unknown> => {
        const st = await openStore(dir, { readOnly: true });
        try {
          return await fn(await st.table('t'));
        } catch (err) {
          return { code: (err as SdnwalError).code, line: (err as { line?: number }).line };
        } finally {
          await st.close();
        }
      };
      const all = await outcome(async (x) => (await x.all()).length);
      expect(all).toMatchObject({ code: 'CORRUPT_SNAPSHOT' });
      expect(await outcome((x) => x.count())).toEqual(all);
    }
  });

  it('KeyByteSet: adds, deletes and revives keys by their bytes across growth', () => {
    const set = new KeyByteSet();
    const ref = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const k = `k${(i * 7919) % 5000}-é`;
      if (i % 3 === 2) {
        set.deleteString(k);
        ref.delete(k);
      } else {
        set.addString(k);
        ref.add(k);
      }
    }
    expect(set.size).toBe(ref.size);
  });
});
