// count() without loading rows (src/store/snapshot-count.ts): from the snapshot's meta when nothing
// is logged above it, exact otherwise, and right after other processes write and compact.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SdnwalError } from '../../src/errors.js';
import { openStore, type Table } from '../../src/index.js';
import { recover } from '../../src/recovery/index.js';
import { tmpDir } from '../helpers/tmp.js';

const child = path.resolve(import.meta.dirname, '../fixtures/store/write-compact.mjs');
const fixtures = path.resolve(import.meta.dirname, '../fixtures/snapshot');
const columns = ['id', 'n'];

/** Whether the table's local log holds its rows in memory (a private field: what this file is about). */
const loaded = (t: Table): boolean => (t as unknown as { log: { state: { loaded: boolean } } }).log.state.loaded;

/** Another process: insert r-from.., delete r-delFrom.., then compact if asked. */
function other(dir: string, from: number, count: number, delFrom: number, delCount: number, compact: boolean): void {
  const r = spawnSync(process.execPath, [child, dir, 't', String(from), String(count), String(delFrom), String(delCount), compact ? '1' : '0'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
}

const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: `r-${from + i}`, n: from + i }));

/** A store holding r-0..r-49 minus r-0..r-4, compacted, closed. */
async function compacted(): Promise<string> {
  const dir = tmpDir();
  const store = await openStore(dir, { sync: 'none' });
  const t = await store.table('t', { key: 'id', columns });
  await t.insertMany(rows(0, 50));
  for (let i = 0; i < 5; i++) await t.delete(`r-${i}`);
  await t.compact();
  await store.close();
  return dir;
}

describe('count() from the snapshot', () => {
  it('a hand-edited row_count fails the meta-crc: count() refuses it as all() does, and recovery falls back to .prev', async () => {
    const dir = await compacted();
    const file = path.join(dir, 't.sdn');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('row_count: 45', 'row_count: 46'));
    const s = await openStore(dir, { readOnly: true });
    const t = await s.table('t', { key: 'id' });
    await expect(t.count()).rejects.toMatchObject({ code: 'CORRUPT_SNAPSHOT' });
    await expect(t.all()).rejects.toMatchObject({ code: 'CORRUPT_SNAPSHOT' });
    await s.close();
    const report = await recover(dir);
    expect(report.tables[0]!.snapshot).toBe('fallback');
    const s2 = await openStore(dir);
    expect(await (await s2.table('t')).count()).toBe(45);
    await s2.close();
  });

  it('any other meta value edited by hand (here absorbed_segment) fails the meta-crc on load', async () => {
    const dir = await compacted();
    const file = path.join(dir, 't.sdn');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/absorbed_segment: (\d+)/, (_, n: string) => `absorbed_segment: ${Number(n) + 1}`));
    const s = await openStore(dir, { readOnly: true });
    await expect((await s.table('t', { key: 'id' })).all()).rejects.toMatchObject({ code: 'CORRUPT_SNAPSHOT', message: expect.stringMatching(/meta-crc/) });
    await s.close();
  });

  it('a snapshot written before the meta-crc line (none) is read and counted as before', async () => {
    const dir = await compacted();
    const file = path.join(dir, 't.sdn');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/# meta-crc: [0-9a-f]{8}\n/, ''));
    const s = await openStore(dir, { readOnly: true });
    const t = await s.table('t', { key: 'id' });
    expect(await t.count()).toBe(45);
    expect((await t.all()).length).toBe(45);
    await s.close();
  });

  it('after a compaction, a reopened table counts from the meta without loading rows; reads still load', async () => {
    const store = await openStore(await compacted());
    const t = await store.table('t', { key: 'id', columns });
    expect(await t.count()).toBe(45);
    expect(loaded(t)).toBe(false);
    expect(await t.get('r-7')).toEqual({ id: 'r-7', n: 7 });
    expect(loaded(t)).toBe(true);
    expect(await t.count()).toBe(45);
    await store.close();
  });

  it('with writes logged above the snapshot, counts exactly (inserts, replaces, deletes, updates of missing keys)', async () => {
    const dir = await compacted();
    const s1 = await openStore(dir, { sync: 'none' });
    const t1 = await s1.table('t', { key: 'id', columns });
    await t1.insertMany(rows(50, 10)); // +10
    await t1.insertMany(rows(10, 3)); // replaces: +0
    for (const k of ['r-20', 'r-21', 'r-0', 'r-999']) await t1.delete(k); // -2 (r-0 and r-999 are absent)
    await t1.update({ id: 'r-1', n: 1 }); // missing: ignored
    await s1.close();
    const s2 = await openStore(dir);
    const t2 = await s2.table('t', { key: 'id', columns });
    expect(await t2.count()).toBe(53);
    // Counted from the snapshot's keys and the logged writes' keys: no rows were built.
    expect(loaded(t2)).toBe(false);
    expect((await t2.all()).length).toBe(53);
    await s2.close();
  });

  it('a table not loaded yet sees other processes\' writes and compactions (old segments deleted meanwhile)', async () => {
    const dir = await compacted();
    const store = await openStore(dir);
    const t = await store.table('t', { key: 'id', columns });
    expect(await t.count()).toBe(45);
    other(dir, 100, 20, 10, 3, true); // 45 + 20 - 3, compacted
    other(dir, 200, 2, 0, 0, true); // + 2, compacted again: the log the first snapshot absorbed is gone
    expect(await t.count()).toBe(64);
    expect(loaded(t)).toBe(false);
    other(dir, 300, 1, 30, 1, false); // logged above the snapshot, not compacted: +1 -1
    expect(await t.count()).toBe(64);
    other(dir, 400, 5, 0, 0, false);
    expect(await t.count()).toBe(69);
    await store.close();
  });

  it('a loaded table follows another process\'s compaction (it reloads from the new snapshot)', async () => {
    const dir = await compacted();
    const store = await openStore(dir);
    const t = await store.table('t', { key: 'id', columns });
    expect(await t.get('r-5')).toEqual({ id: 'r-5', n: 5 });
    other(dir, 100, 10, 5, 5, true);
    other(dir, 200, 1, 0, 0, true);
    expect(await t.count()).toBe(51);
    expect(await t.get('r-5')).toBeUndefined();
    expect(await t.get('r-200')).toEqual({ id: 'r-200', n: 200 });
    await store.close();
  });

  it('an adopted SDN file without a meta block is counted from its keys', async () => {
    const dir = tmpDir();
    fs.copyFileSync(path.join(fixtures, 'todo_db.sdn'), path.join(dir, 'todo_db.sdn'));
    const store = await openStore(dir);
    const t = await store.table('todo_db', { key: 'id' });
    expect(await t.count()).toBe(63);
    expect(loaded(t)).toBe(false);
    expect((await t.all()).length).toBe(63);
    await store.close();
  });

  it('does not trust a snapshot cut short: the count loads it and reports CORRUPT_SNAPSHOT', async () => {
    const dir = await compacted();
    const file = path.join(dir, 't.sdn');
    fs.truncateSync(file, fs.statSync(file).size - 20);
    const store = await openStore(dir, { readOnly: true });
    const t = await store.table('t', { key: 'id' });
    const err = await t.count().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SdnwalError);
    expect((err as SdnwalError).code).toBe('CORRUPT_SNAPSHOT');
    await store.close();
  });
});
