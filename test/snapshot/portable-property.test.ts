// Property: a table written through a real store and compacted (twice: the second compaction
// reads the first's row lines back) has a snapshot that passes the portable check — Simple's own
// SDN parser reads it the same — and re-parses to exactly the rows stored.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { checkPortable, parse } from '../../src/sdn/index.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { portableName, scalar, tableName, text, value } from '../sdn/portable-arbitraries.js';
import { tmpDir } from '../helpers/tmp.js';

type Rec = Record<string, unknown>;

/** A table: its name, declared columns (null: free-form), and two batches of records keyed `id`. */
const tableCase = fc.record({
  name: tableName,
  columns: fc.option(fc.uniqueArray(portableName, { maxLength: 4 }).map((cs) => ['id', ...cs.filter((c) => c !== 'id')]), { nil: null }),
  ids: fc.uniqueArray(text.filter((s) => s !== ''), { minLength: 1, maxLength: 12 }),
  plain: fc.boolean(), // only scalars: the compactor's byte-level insert path
}).chain((c) => {
  const cell = c.plain ? scalar : fc.oneof(scalar, value);
  const rec = (id: string): fc.Arbitrary<Rec> => (c.columns
    ? fc.subarray(c.columns.slice(1)).chain((cols) => fc.tuple(...cols.map(() => cell)).map((vs) => ({ id, ...Object.fromEntries(cols.map((k, i) => [k, vs[i]])) })))
    : fc.dictionary(portableName.filter((k) => k !== 'id'), cell, { maxKeys: 3 }).map((o) => ({ id, ...o })));
  return fc.record({
    c: fc.constant(c),
    first: fc.tuple(...c.ids.map(rec)),
    second: fc.tuple(...c.ids.map((id) => fc.option(rec(id), { nil: undefined }))),
  });
});

describe('snapshots are portable', () => {
  it('a compacted table passes the portable check and re-parses to its rows (property)', async () => {
    await fc.assert(fc.asyncProperty(tableCase, async ({ c, first, second }) => {
      const dir = tmpDir();
      const store = await openStore(dir, { sync: 'none' });
      try {
        const t = await store.table(c.name, { key: 'id', ...(c.columns ? { columns: c.columns } : {}) });
        await t.insertMany(first);
        await t.compact();
        for (const r of second) if (r) await t.insert(r);
        await t.compact();
        const rows = await t.all();
        const text = fs.readFileSync(path.join(dir, `${c.name}.sdn`), 'utf8');
        expect(checkPortable(text)).toEqual([]);
        const doc = parse(text) as Record<string, unknown>;
        expect((doc.meta as Rec).table_name).toBe(c.name);
        // Any SDN reader: absent cells (`nil`) read as null. sdnwal's loader gives the rows back exactly.
        const cols = Object.keys((doc[c.name] as Rec[])[0] ?? {});
        expect(doc[c.name]).toEqual(rows.map((r) => Object.fromEntries(cols.map((k) => [k, k in r ? r[k] : null]))));
        expect([...loadSnapshot(path.join(dir, `${c.name}.sdn`), { table: c.name })!.rows.values()]).toEqual(rows);
        expect(rows).toEqual(c.ids.map((id, i) => second[i] ?? first[i]));
      } finally {
        await store.close();
      }
    }), { numRuns: 40 });
  });
});
