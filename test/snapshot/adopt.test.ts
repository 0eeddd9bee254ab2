import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from '../../src/sdn/index.js';
import { compactTable } from '../../src/compaction/compactor.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { readSnapshotMeta } from '../../src/snapshot/meta.js';
import { tablePaths } from '../../src/wal/paths.js';
import { newTableId } from '../../src/wal/segment.js';
import { tmpDir } from '../helpers/tmp.js';
import { makeWriter, plain, readState } from './helpers.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/snapshot');

/** The corpus file as store table `table`, adopted with `key`. */
function adopt(file: string, table: string) {
  const dir = tmpDir();
  const paths = tablePaths(dir, table);
  fs.copyFileSync(path.join(fixtures, file), paths.snapshot);
  return paths;
}

const cases = [
  { file: 'todo_db.sdn', table: 'todo_db', section: 'todos', rows: 63, columns: ['id', 'keyword', 'area', 'priority', 'description', 'file', 'line', 'issue', 'blocked', 'status', 'valid'], extra: [] as string[] },
  { file: 'feature_db.sdn', table: 'feature_db', section: 'features', rows: 0, columns: ['id', 'category', 'name', 'description', 'spec', 'mode_interpreter', 'mode_jit', 'mode_smf_cranelift', 'mode_smf_llvm', 'platforms', 'status', 'valid'], extra: ['strings'] },
  { file: 'task_db.sdn', table: 'tasks', section: 'tasks', rows: 1, columns: ['id', 'category', 'name', 'description', 'priority', 'status', 'valid'], extra: [] },
];

describe('adopting SDN files without a meta block', () => {
  for (const c of cases) {
    it(`${c.file}: opens as table ${c.table} (rows in ${c.section}), and keeps counts, values and shape after a write and a compaction`, async () => {
      const paths = adopt(c.file, c.table);
      const original = parse(fs.readFileSync(paths.snapshot, 'utf8')) as Record<string, Record<string, unknown>[]>;
      const rows = original[c.section]!;
      if (c.rows > 0) expect(rows).toHaveLength(c.rows);
      const count = rows.length;

      const meta = readSnapshotMeta(paths.snapshot, { key: 'id' })!;
      expect(meta).toMatchObject({ adopted: true, absorbedSegment: 0, tableId: undefined, section: c.section, columns: c.columns, rowCount: count, table: c.table });
      const loaded = loadSnapshot(paths.snapshot, { table: c.table, key: 'id' })!;
      expect([...loaded.rows.values()]).toEqual(rows);
      expect(loaded.extra.map((x) => x.name)).toEqual(c.extra);

      // A write (through the log), then a compaction.
      const writer = makeWriter(paths, newTableId());
      const first = rows[0]!;
      const added = Object.fromEntries(c.columns.map((col) => [col, col === 'id' ? 'NEW-1' : `v ${col}`]));
      await writer.append({ operation: 'insert', rows: [{ key: 'NEW-1', values: added }], timestamp: 1 });
      if (first) await writer.append({ operation: 'update', rows: [{ key: String(first.id), values: { status: 'done' } }], timestamp: 2 });
      const before = readState(paths);
      const r = await compactTable(paths, writer, { force: true, key: 'id' });
      expect(r).toMatchObject({ skipped: false, absorbedSegment: 1, rows: count + 1 });
      await writer.close();

      const text = fs.readFileSync(paths.snapshot, 'utf8');
      const after = parse(text) as Record<string, unknown>;
      // Shape: same top-level sections in the same order (plus meta first), same table name and column order.
      expect(Object.keys(after)).toEqual(['meta', ...Object.keys(original)]);
      expect(text).toContain(`\n${c.section} |${c.columns.join(', ')}|\n`);
      if (c.extra.includes('strings')) expect(text).toContain('\nstrings |id, value|\n');
      const again = after[c.section] as Record<string, unknown>[];
      expect(again).toHaveLength(count + 1);
      // Values: every original row as it was (but the one updated), in order, then the new one.
      expect(again.slice(0, count)).toEqual(rows.map((row, i) => (i === 0 ? { ...row, status: 'done' } : row)));
      expect(again[count]).toEqual(added);
      expect(plain(readState(paths))).toEqual(plain(before));
      expect(readSnapshotMeta(paths.snapshot)).toMatchObject({ adopted: false, section: c.section, columns: c.columns, key: 'id', rowCount: count + 1 });
      // The adopted original is the fallback, untouched.
      expect(fs.readFileSync(paths.snapshotPrev)).toEqual(fs.readFileSync(path.join(fixtures, c.file)));
    });
  }

  it('keeps the values of the todo database exactly: numbers, bools, "" cells, bare paths', () => {
    const paths = adopt('todo_db.sdn', 'todo_db');
    const row = loadSnapshot(paths.snapshot, { table: 'todo_db', key: 'id' })!.rows.get('60')!;
    expect(row).toMatchObject({ id: 60, keyword: 'TODO', area: 'test', priority: 'P1', file: './tests/app/ui.web/live_smoke_test.spl', line: 1, issue: '', blocked: '', status: 'open', valid: true });
  });

  it('chooses the named table named like the table, else the largest one holding the key column', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'x.sdn');
    fs.writeFileSync(file, 'small |id|\n    1\nbig |id, a|\n    1, 2\n    3, 4\nnokey |z|\n    1\n    2\n    3\n');
    expect(readSnapshotMeta(file, { key: 'id' })!.section).toBe('big');
    expect(loadSnapshot(file, { table: 'x', key: 'id' })!.extra.map((e) => [e.name, e.before])).toEqual([['small', true], ['nokey', false]]);
    fs.writeFileSync(file, 'big |id|\n    1\n    2\nx |id|\n    9\n');
    expect(readSnapshotMeta(file, { key: 'id' })!.section).toBe('x');
    fs.writeFileSync(file, 'settings:\n    a: 1\n');
    expect(() => loadSnapshot(file, { table: 'x', key: 'id' })).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', line: 1 }));
    fs.writeFileSync(file, 'x |id|\n    1\n    1\n');
    expect(() => loadSnapshot(file, { table: 'x', key: 'id' })).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', line: 3 }));
    // Without a key hint the key is `id` (here duplicated: corrupt), else the first column.
    expect(() => loadSnapshot(file, { table: 'x' })).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', line: 3 }));
    fs.writeFileSync(file, 'x |name, n|\n    a, 1\n    b, 2\n');
    const loaded = loadSnapshot(file, { table: 'x' })!;
    expect(loaded.meta.key).toBe('name');
    expect(loaded.rows.get('b')).toEqual({ name: 'b', n: 2 });
  });
});
