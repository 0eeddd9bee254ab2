// Snapshots written before the portable profile (test/fixtures/sdn/legacy) still open, read,
// count and take writes; their first compaction writes them portable: `table_name` in the meta,
// control characters raw, names bare, a non-portable table's rows under `rows |...|`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { checkPortable, parse } from '../../src/sdn/index.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { readSnapshotMeta } from '../../src/snapshot/meta.js';
import { tmpDir } from '../helpers/tmp.js';

const LEGACY = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sdn/legacy');

/** A store directory holding the legacy snapshot of `table`. */
function storeWith(table: string): string {
  const dir = tmpDir();
  fs.copyFileSync(path.join(LEGACY, `${table}.sdn`), path.join(dir, `${table}.sdn`));
  return dir;
}

describe('legacy snapshots', () => {
  it('name their table under `table:` and still load, their meta-crc checked as written', () => {
    const dir = storeWith('todos');
    const meta = readSnapshotMeta(path.join(dir, 'todos.sdn'))!;
    expect(meta).toMatchObject({ table: 'todos', legacyTableKey: true, rowCount: 3 });
    const snap = loadSnapshot(path.join(dir, 'todos.sdn'), { table: 'todos' })!;
    expect([...snap.rows.values()]).toEqual([
      { id: 't1', title: 'ctrl\u0001char', extra: { 'a-b': 1, 'c.d': 'x' } },
      { id: 't2', title: 'esc\u001b[0m' },
      { id: 't3', title: 'plain', extra: [1, 2] },
    ]);
    // A hand edit of the meta still fails its (legacy) meta-crc.
    const file = path.join(dir, 'todos.sdn');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('2026-01-01T', '2026-01-02T'));
    expect(() => loadSnapshot(file, { table: 'todos' })).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', message: expect.stringMatching(/meta-crc/) }));
  });

  it('compact into a portable snapshot: table_name, raw control characters, bare names; .prev keeps the old one', async () => {
    const dir = storeWith('todos');
    const store = await openStore(dir);
    const t = await store.table('todos');
    expect(await t.count()).toBe(3);
    await t.insert({ id: 't4', title: 'bell\u0007', extra: { 'x-y': null } });
    await t.compact();
    const text = fs.readFileSync(path.join(dir, 'todos.sdn'), 'utf8');
    expect(text).toMatch(/^meta:\n    format: 1\n    table_name: "todos"\n/);
    expect(text).not.toMatch(/^ {4}table:/m);
    expect(text).toContain('    "t1", "ctrl\u0001char", {a-b: 1, c.d: "x"}\n');
    expect(text).toContain('    "t4", "bell\u0007", {x-y: null}\n');
    expect(checkPortable(text)).toEqual([]);
    expect((parse(text).meta as Record<string, unknown>).table_name).toBe('todos');
    expect(fs.readFileSync(path.join(dir, 'todos.sdn.prev'), 'utf8')).toBe(fs.readFileSync(path.join(LEGACY, 'todos.sdn'), 'utf8'));
    const rows = await t.all();
    await store.close();
    const again = await openStore(dir);
    expect(await (await again.table('todos')).all()).toEqual(rows);
    expect(rows[0]).toEqual({ id: 't1', title: 'ctrl\u0001char', extra: { 'a-b': 1, 'c.d': 'x' } });
    await again.close();
  });

  it('a table named outside the rule (1abc) opens, reads and takes writes without opting out; compacted, its rows sit under `rows`', async () => {
    const dir = storeWith('1abc');
    const store = await openStore(dir);
    const t = await store.table('1abc');
    expect(await t.all()).toEqual([{ id: 'a', 'my-col': 'x\u0007y' }, { id: 'b' }]);
    await t.insert({ id: 'c', 'my-col': 'z' });
    await t.compact();
    const text = fs.readFileSync(path.join(dir, '1abc.sdn'), 'utf8');
    expect(text).toContain('    table_name: "1abc"\n');
    expect(text).toContain('    section: "rows"\n');
    expect(text).toContain('\nrows |id, my-col|\n    "a", "x\u0007y"\n    "b", nil\n    "c", "z"\n');
    expect(checkPortable(text)).toEqual([]);
    expect(parse(text).rows).toEqual([{ id: 'a', 'my-col': 'x\u0007y' }, { id: 'b', 'my-col': null }, { id: 'c', 'my-col': 'z' }]);
    await t.insert({ id: 'd' });
    await t.compact(); // the stand-in name stays
    expect(readSnapshotMeta(path.join(dir, '1abc.sdn'))).toMatchObject({ table: '1abc', section: 'rows', rowCount: 4 });
    await store.close();
    const again = await openStore(dir);
    expect((await (await again.table('1abc')).all()).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    await again.close();
  });

  it('a table named with a keyword (`table`, its header written bare before) opens and compacts portable', async () => {
    const dir = storeWith('table');
    const store = await openStore(dir);
    const t = await store.table('table');
    expect(await t.all()).toEqual([{ id: 'k1', v: 1 }, { id: 'k2', v: 'two' }]);
    await t.update({ id: 'k1', v: 11 });
    await t.compact();
    const text = fs.readFileSync(path.join(dir, 'table.sdn'), 'utf8');
    expect(text).toContain('    table_name: "table"\n');
    expect(text).toContain('\nrows |id, v|\n');
    expect(checkPortable(text)).toEqual([]);
    expect(await t.get('k1')).toEqual({ id: 'k1', v: 11 });
    await store.close();
  });
});
