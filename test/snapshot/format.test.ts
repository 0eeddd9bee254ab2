import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from '../../src/sdn/index.js';
import { createInitialSnapshot, writeSnapshotAtomic } from '../../src/snapshot/atomic.js';
import { absentCells } from '../../src/snapshot/cells.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { readSnapshotMeta, type SnapshotMeta } from '../../src/snapshot/meta.js';
import { tablePaths } from '../../src/wal/paths.js';
import { tmpDir } from '../helpers/tmp.js';

const TABLE_ID = '0123456789abcdef0123456789abcdef';

function meta(over: Partial<SnapshotMeta> = {}): SnapshotMeta {
  return {
    format: 1, table: 't', tableId: TABLE_ID, key: 'id', columns: [], absorbedSegment: 3, rowCount: 0,
    writtenAt: undefined, rowsCrc: undefined, section: 't', adopted: false, ...over,
  };
}

function roundTrip(rows: Record<string, unknown>[], over: Partial<SnapshotMeta> = {}) {
  const paths = tablePaths(tmpDir(), over.table ?? 't');
  writeSnapshotAtomic(paths, meta({ rowCount: rows.length, table: paths.table, section: paths.table, ...over }), rows);
  const loaded = loadSnapshot(paths.snapshot, { table: paths.table, key: 'id' })!;
  return { paths, loaded, text: fs.readFileSync(paths.snapshot, 'utf8') };
}

describe('snapshot format', () => {
  it('writes a meta block, the rows as a named table, and a rows-crc line any SDN reader can load', () => {
    const rows = [{ id: 't1', keyword: 'TODO', n: 5 }, { id: 't2', keyword: 'FIXME', n: 1.5 }];
    const { text } = roundTrip(rows, { columns: ['id', 'keyword', 'n'] });
    const lines = text.split('\n');
    expect(lines[0]).toBe('meta:');
    expect(lines).toContain('t |id, keyword, n|');
    expect(lines).toContain('    "t1", "TODO", 5');
    expect(lines).toContain('    "t2", "FIXME", 1.5');
    expect(lines.at(-2)).toMatch(/^# rows-crc: [0-9a-f]{8}$/);
    expect(lines.at(-1)).toBe('');
    const doc = parse(text) as Record<string, unknown>;
    expect(doc.t).toEqual(rows);
    expect(doc.meta).toMatchObject({ format: 1, table_name: 't', table_id: TABLE_ID, key: 'id', columns: ['id', 'keyword', 'n'], absorbed_segment: 3, row_count: 2 });
  });

  it('round-trips values of every type, with absent cells and explicit nulls kept apart', () => {
    const rows: Record<string, unknown>[] = [
      { id: 'a', s: 'plain', i: 42, f: -0.25, big: 2 ** 60, tiny: 1e-10, t: true, fa: false, nul: null, arr: [1, 'x', null, [true]], obj: { k: 'v', 'odd key': [1, { z: null }] } },
      { id: 'b' }, // every other column absent
      { id: 'c', s: '', nul: 'null', arr: [], obj: {} },
      { id: 7, s: 'nil', i: -0 },
    ];
    const { loaded } = roundTrip(rows);
    expect([...loaded.rows.keys()]).toEqual(['a', 'b', 'c', '7']);
    expect([...loaded.rows.values()]).toEqual(rows);
    expect(loaded.rows.get('b')).toEqual({ id: 'b' });
    expect('nul' in loaded.rows.get('a')!).toBe(true);
    expect(Object.is(loaded.rows.get('7')!.i, -0)).toBe(true);
  });

  it('round-trips awkward strings and column names', () => {
    const awkward = ['a, b', '"quoted"', 'back\\slash', 'line\nbreak\r\ttab', '# not a comment', '[1, 2]', '{a: 1}', '123', '1.5e3', 'true', 'nil', 'null',
      '  spaced  ', 'ünïcödé — 漢字 😀', '\u0000\u007f\u001b[0m', '|pipe|', 'nil, nil'];
    const rows = awkward.map((s, i) => ({ id: `k${i}`, 'col with space': s, nil: s, __proto__x: [s] }));
    const { loaded } = roundTrip(rows);
    expect([...loaded.rows.values()]).toEqual(rows);
  });

  it('round-trips random JSON-like rows (property)', () => {
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
        fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.string({ minLength: 1 }), tie('v'), { maxKeys: 3 })),
    })).v;
    const row = fc.record({ a: value, b: value, c: value }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }), (rs) => {
        const rows = rs.map((r, i) => ({ id: `r${i}`, ...r }));
        const { loaded } = roundTrip(rows);
        // The JSON mapping of the rows, except that -0 stays -0 (the snapshot keeps it: `-0.0`).
        const NEG0 = '\u0000-0';
        const json = JSON.stringify(rows, (_k, v) => (Object.is(v, -0) ? NEG0 : v));
        expect([...loaded.rows.values()]).toEqual(JSON.parse(json, (_k, v) => (v === NEG0 ? -0 : v)));
      }),
      { numRuns: 60 },
    );
  });

  it('writes declared columns in their order even when no row has them, and never drops an undeclared one', () => {
    const rows = [{ z: 1, id: 'a' }, { id: 'b', extra: 'x' }];
    const { text, loaded } = roundTrip(rows, { columns: ['id', 'y', 'z'] });
    expect(text).toContain('t |id, y, z, extra|');
    expect(loaded.meta.columns).toEqual(['id', 'y', 'z']);
    expect([...loaded.rows.values()]).toEqual(rows);
  });

  it('streams a table bigger than one write and read chunk', () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => ({ id: `row-${i}`, text: 'x'.repeat(i % 97), n: i }));
    const { loaded, paths } = roundTrip(rows);
    expect(fs.statSync(paths.snapshot).size).toBeGreaterThan(2 * 1024 * 1024);
    expect(loaded.rows.size).toBe(30_000);
    expect(loaded.rows.get('row-29999')).toEqual(rows[29999]);
    expect(readSnapshotMeta(paths.snapshot)).toMatchObject({ rowCount: 30_000, absorbedSegment: 3, rowsCrc: loaded.meta.rowsCrc, adopted: false });
  });

  it('createInitialSnapshot records key, columns, conflict and table_id, with an empty rows table', () => {
    const paths = tablePaths(tmpDir(), 'docs');
    createInitialSnapshot(paths, { key: 'id', columns: ['id', 'title'], conflict: 'error' }, TABLE_ID);
    const m = readSnapshotMeta(paths.snapshot)!;
    expect(m).toMatchObject({ table: 'docs', tableId: TABLE_ID, key: 'id', columns: ['id', 'title'], conflict: 'error', absorbedSegment: 0, rowCount: 0, adopted: false });
    expect(fs.readFileSync(paths.snapshot, 'utf8')).toMatch(/\ndocs \|id, title\|\n# meta-crc: [0-9a-f]{8}\n# rows-crc: 00000000\n$/);
    expect(fs.existsSync(paths.snapshotPrev)).toBe(false);
    expect(loadSnapshot(paths.snapshot, { table: 'docs' })!.rows.size).toBe(0);
    expect(() => createInitialSnapshot(paths, { key: 'id', columns: null }, TABLE_ID)).toThrow(/already has a snapshot/);
  });

  it('a free-form table (no declared columns) starts with the key column alone', () => {
    const paths = tablePaths(tmpDir(), 'free');
    createInitialSnapshot(paths, { key: 'k', columns: null }, TABLE_ID);
    expect(fs.readFileSync(paths.snapshot, 'utf8')).toContain('\nfree |k|\n');
    expect(readSnapshotMeta(paths.snapshot)!.columns).toEqual([]);
  });

  it('readSnapshotMeta of a missing file is undefined and creates nothing', () => {
    const dir = tmpDir();
    expect(readSnapshotMeta(path.join(dir, 'none.sdn'))).toBeUndefined();
    expect(loadSnapshot(path.join(dir, 'none.sdn'), { table: 'none' })).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('absentCells finds bare nil cells only at the top level', () => {
    expect(absentCells('    "a", nil, "nil", [nil, 1], {k: nil}, nil')).toEqual([1, 5]);
    expect(absentCells('    "a\\", nil", nil')).toEqual([1]);
  });
});
