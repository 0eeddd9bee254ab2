// Loading a snapshot straight into the compactor's fold (CompactFold.lines): the rows are kept as
// the file's line bytes, and the fold ends in the same state, and writes the same bytes, as loading
// the rows as objects and seeding the fold with them.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactFold } from '../../src/compaction/fold.js';
import { plainKeyCell } from '../../src/snapshot/key-cell.js';
import { rowColumns } from '../../src/snapshot/format.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import type { SnapshotMeta } from '../../src/snapshot/meta.js';
import { writeSnapshotText } from '../../src/snapshot/writer.js';
import { emptyCounts, type Record_ } from '../../src/replay/rules.js';
import { tmpDir } from '../helpers/tmp.js';

const meta = (rowCount: number, columns: string[]): SnapshotMeta => ({
  format: 1, table: 't', tableId: undefined, key: 'id', columns, absorbedSegment: 1, rowCount,
  writtenAt: 'x', rowsCrc: undefined, section: 't', adopted: false,
});

/** Write a snapshot file of `rows` (declared columns `declared`); returns its path. */
function snapshotFile(dir: string, rows: Record_[], declared: string[]): string {
  const file = path.join(dir, `${Math.random()}.sdn`);
  const fd = fs.openSync(file, 'w+');
  try {
    writeSnapshotText(fd, meta(rows.length, declared), rowColumns(declared, 'id', rows), rows, []);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** The snapshot the fold writes (rows part and all). */
function written(dir: string, fold: CompactFold, declared: string[]): string {
  const file = path.join(dir, `${Math.random()}.out.sdn`);
  const fd = fs.openSync(file, 'w+');
  try {
    writeSnapshotText(fd, meta(fold.size, declared), fold.columns(), fold, []);
  } finally {
    fs.closeSync(fd);
  }
  return fs.readFileSync(file, 'utf8');
}

const cell = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom('', '"', '\\', '\n', 'a, b', '[x]', 'nil', 'é'),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.record({ n: fc.string({ maxLength: 3 }) }),
);
const keyValue = fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constantFrom('a"b', 'a\\b', 'é', 'x, y', 'nil'), fc.integer());

describe('CompactFold as the loader target', () => {
  for (const declared of [['id', 'a', 'b'], ['a', 'b', 'id'], ['a', 'id']]) {
    it(`keeps the file's lines and ends as a fold seeded with objects would (declared [${declared.join(', ')}])`, () => {
      const dir = tmpDir();
      const row = fc.record({ id: keyValue, a: cell, b: cell, x: cell }, { requiredKeys: ['id'] });
      fc.assert(
        fc.property(fc.uniqueArray(row, { selector: (r) => String(r.id), maxLength: 25 }), fc.array(fc.tuple(fc.nat(30), cell), { maxLength: 5 }), (rows, updates) => {
          const file = snapshotFile(dir, rows, declared);
          const viaObjects = new CompactFold(declared, 'id');
          for (const [k, r] of loadSnapshot(file, { table: 't' })!.rows) viaObjects.set(k, r);
          const viaLines = loadSnapshot(file, { table: 't' }, (m, key) => new CompactFold(m.columns, key))!.rows;
          expect(viaLines.size).toBe(rows.length);
          // Updates read a kept line back as a row.
          for (const [i, v] of updates) {
            const key = rows.length > 0 ? String(rows[i % rows.length]!.id) : 'none';
            for (const f of [viaObjects, viaLines]) f.apply({ operation: 'update', rows: [{ key, values: { b: v } }], timestamp: 0, synced: 0 }, emptyCounts(), new Map());
          }
          expect(viaLines.columns()).toEqual(viaObjects.columns());
          expect(written(dir, viaLines, declared)).toBe(written(dir, viaObjects, declared));
        }),
        { numRuns: 120 },
      );
    });
  }

  it('takes the row lines as bytes only when the header names exactly the declared columns', () => {
    const dir = tmpDir();
    const taken = (rows: Record_[], declared: string[]): boolean[] => {
      const seen: boolean[] = [];
      loadSnapshot(snapshotFile(dir, rows, declared), { table: 't' }, (m, key) => {
        const f = new CompactFold(m.columns, key);
        const lines = f.lines.bind(f);
        f.lines = (...args) => {
          const took = lines(...args);
          seen.push(took);
          return took;
        };
        return f;
      });
      return seen;
    };
    expect(taken([{ id: 'a', a: 1 }, { id: 'b' }], ['id', 'a'])).toEqual([true]);
    expect(taken([{ id: 'a', a: 1, extra: 2 }], ['id', 'a'])).toEqual([false]); // header `id, a, extra`
    expect(taken([{ id: 'a', a: 1 }], [])).toEqual([false]); // no declared columns: rows stay objects
  });

  it('refuses a second row with the same key, and an empty key, naming the line', () => {
    const dir = tmpDir();
    const file = snapshotFile(dir, [{ id: 'a', a: 1 }, { id: 'b', a: 2 }], ['id', 'a']);
    const text = fs.readFileSync(file, 'utf8');
    const load = (t: string): unknown => {
      const f = path.join(dir, `${Math.random()}.sdn`);
      fs.writeFileSync(f, t);
      return loadSnapshot(f, { table: 't' }, (m, key) => new CompactFold(m.columns, key));
    };
    // The rows-crc covers the row lines, so an edit needs a new one: recompute it as a writer would.
    const withRows = (lines: string[]): string => {
      const body = lines.map((l) => `    ${l}\n`).join('');
      const crc = zlib.crc32(Buffer.from(body)).toString(16).padStart(8, '0');
      return text.replace(/t \|id, a\|\n(?: {4}.*\n)+(# meta-crc: [0-9a-f]{8}\n)?# rows-crc: [0-9a-f]{8}\n/, (_, metaLine = '') => `t |id, a|\n${body}${metaLine}# rows-crc: ${crc}\n`);
    };
    expect(() => load(withRows(['"a", 1', '"a", 2']))).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', message: expect.stringMatching(/second row with key "a"/) }));
    expect(() => load(withRows(['"", 1', '"b", 2']))).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', message: expect.stringMatching(/no value in key column/) }));
    expect(() => load(withRows(['nil, 1', '"b", 2']))).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT' }));
    // A line read by the parser (its key is not a plain string) that does not parse: its own file line.
    const rowsAt = text.split('\n').findIndex((l) => l.startsWith('    ')  && !l.includes(':') && !l.includes('=')) + 1;
    expect(() => load(withRows(['1, "x"', '2, "y']))).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', line: rowsAt + 1 }));
  });

  it('a rows header that does not parse is CORRUPT_SNAPSHOT at the first row line, as the object loader says, not SDN_PARSE', () => {
    const dir = tmpDir();
    const file = snapshotFile(dir, [{ id: 'a', a: 1 }, { id: 'b', a: 2 }], ['id', 'a']);
    const text = fs.readFileSync(file, 'utf8');
    const rowsAt = text.split('\n').indexOf('t |id, a|') + 2;
    for (const header of ['t |id, id|', 't |id, a', 't |"id, a|']) {
      const f = path.join(dir, `${Math.random()}.sdn`);
      fs.writeFileSync(f, text.replace('t |id, a|', header));
      const asObjects = (() => {
        try {
          loadSnapshot(f, { table: 't' });
        } catch (err) {
          return err;
        }
      })();
      expect(asObjects).toMatchObject({ code: 'CORRUPT_SNAPSHOT', line: rowsAt });
      expect(() => loadSnapshot(f, { table: 't' }, (m, key) => new CompactFold(m.columns, key))).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', line: rowsAt }));
    }
  });
});

describe('plainKeyCell', () => {
  const line = (s: string): Buffer => Buffer.from(`    ${s}\n`);
  const key = (s: string, col: number): string | undefined => {
    const b = line(s);
    return plainKeyCell(b, 0, b.length, col);
  };
  it('reads a plain quoted cell after quoted, escaped and bare cells', () => {
    expect(key('"k1", 2', 0)).toBe('k1');
    expect(key('"a, \\"b\\"", 1.5, nil, "é k"', 3)).toBe('é k');
    expect(key('true, null, "k"', 2)).toBe('k');
  });
  it('gives up on escapes in the key, an empty key, a bare key, or a collection before it', () => {
    expect(key('"a\\nb", 2', 0)).toBeUndefined();
    expect(key('"", 2', 0)).toBeUndefined();
    expect(key('5, 2', 0)).toBeUndefined();
    expect(key('[1, 2], "k"', 1)).toBeUndefined();
    expect(key('{n = 1}, "k"', 1)).toBeUndefined();
  });
});
