// The compactor's fold (src/compaction/fold.ts) against the replay rules of src/replay/rules.ts: same
// counts, same tombstones, and the same snapshot bytes as formatting every row object at write time.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactFold } from '../../src/compaction/fold.js';
import { rowColumns } from '../../src/snapshot/format.js';
import type { SnapshotMeta } from '../../src/snapshot/meta.js';
import { writeSnapshotText } from '../../src/snapshot/writer.js';
import { decodeEntry, encodeEntry, type Operation, type PendingWrite } from '../../src/wal/entry.js';
import { applyWrite, emptyCounts, type Record_ } from '../../src/replay/rules.js';
import { tmpDir } from '../helpers/tmp.js';

const meta = (rowCount: number, columns: string[]): SnapshotMeta => ({
  format: 1, table: 't', tableId: undefined, key: 'id', columns, absorbedSegment: 1, rowCount,
  writtenAt: 'x', rowsCrc: undefined, section: 't', adopted: false,
});

/** The snapshot text writeSnapshotText makes of `rows` (objects or a fold) with header `columns`. */
function text(dir: string, rows: Iterable<Record_> | CompactFold, count: number, columns: string[], declared: string[]): Buffer {
  const file = path.join(dir, `${Math.random()}.sdn`);
  const fd = fs.openSync(file, 'w+');
  try {
    writeSnapshotText(fd, meta(count, declared), columns, rows, []);
  } finally {
    fs.closeSync(fd);
  }
  return fs.readFileSync(file);
}

/** The rows as the compactor wrote them before the fold: each carries its key column. */
function keyed(rows: Map<string, Record_>): Record_[] {
  return [...rows].map(([k, r]) => (r.id === undefined || r.id === null ? { ...r, id: k } : r));
}

const value = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom('nil', '"', '\\', '\n', 'a, b', '[x]', ''),
  fc.integer(),
  fc.constantFrom(2 ** 60, -0, 0.1, 1e21, 1e-7, 1.5, -2.25),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.record({ n: fc.integer() }),
);

describe('CompactFold', () => {
  for (const [declared, payloads] of [[['id', 'a', 'b', 'c'], false], [['id', 'a', 'b', 'c'], true], [['c', 'b', 'id'], true], [['a', 'b'], false], [[], true]] as const) {
    const via = payloads ? 'entries given as payloads (applyPayload, else apply)' : 'entries given as objects';
    it(`gives the replay rules' state and the same snapshot bytes (declared columns: [${declared.join(', ')}], ${via})`, () => {
      const dir = tmpDir();
      const values = fc.record({ id: fc.constantFrom('k0', 'k1', 'k2', undefined), a: value, b: value, c: value, x: value, version: fc.integer({ min: 1, max: 9 }) }, { requiredKeys: [] });
      let fast = 0;
      const op = fc.record({ kind: fc.constantFrom<Operation>('insert', 'insert', 'update', 'delete'), key: fc.integer({ min: 0, max: 5 }), values });
      fc.assert(
        fc.property(fc.array(op, { maxLength: 30 }), fc.boolean(), (ops, seeded) => {
          const expected = new Map<string, Record_>();
          const fold = new CompactFold([...declared], 'id');
          if (seeded) {
            const seed = new Map<string, Record_>([['k9', { id: 'k9', a: 1 }], ['k1', { id: 'k1', b: 'seed' }]]);
            for (const [k, r] of seed) fold.set(k, r);
            for (const [k, r] of seed) expected.set(k, r);
          }
          const c1 = emptyCounts();
          const c2 = emptyCounts();
          const t1 = new Map<string, number>();
          const t2 = new Map<string, number>();
          // With payloads, one plain insert first, so the fast reader is sure to run in every case.
          const all = payloads ? [{ kind: 'insert' as const, key: 3, values: { id: 'k3', c: 'plain' } }, ...ops] : ops;
          for (const o of all) {
            const key = `k${o.key}`;
            let w: PendingWrite = { operation: o.kind, rows: [{ key, values: { ...o.values } }], timestamp: 0, synced: 0 };
            if (payloads) {
              // What the log holds (-0 reads back as 0): the expected state is built from it too.
              const payload = Buffer.from(encodeEntry(w));
              w = decodeEntry(payload) as PendingWrite;
              applyWrite(expected, w, c1, t1);
              if (fold.applyPayload(payload, c2, t2)) fast++;
              else fold.apply(decodeEntry(payload) as PendingWrite, c2, t2);
              continue;
            }
            applyWrite(expected, w, c1, t1);
            fold.apply({ ...w, rows: [{ key, values: { ...o.values } }] }, c2, t2);
          }
          expect(fold.size).toBe(expected.size);
          expect(c2).toEqual(c1);
          expect([...t2]).toEqual([...t1]);
          const rows = keyed(expected);
          const columns = rowColumns([...declared], 'id', rows);
          expect(fold.columns()).toEqual(columns);
          expect(text(dir, fold, fold.size, columns, [...declared]).toString()).toBe(text(dir, rows, rows.length, columns, [...declared]).toString());
        }),
        { numRuns: 150 },
      );
      // The fast reader took part wherever rows can be lines (the key column declared).
      expect(fast > 0).toBe(payloads && (declared as readonly string[]).includes('id'));
    });
  }

  it('spans several arena blocks and output runs (100k rows, some long)', () => {
    const dir = tmpDir();
    const declared = ['id', 'a'];
    const expected = new Map<string, Record_>();
    const fold = new CompactFold(declared, 'id');
    const c = emptyCounts();
    for (let i = 0; i < 100_000; i++) {
      const v = { id: `k${i}`, a: i % 5000 === 0 ? 'é'.repeat(3_000_000) : `value ${i}` };
      const w: PendingWrite = { operation: 'insert', rows: [{ key: `k${i}`, values: v }], timestamp: 0, synced: 0 };
      applyWrite(expected, w);
      fold.apply(w, c, new Map());
    }
    const rows = keyed(expected);
    expect(text(dir, fold, fold.size, declared, declared).equals(text(dir, rows, rows.length, declared, declared))).toBe(true);
  });
});
