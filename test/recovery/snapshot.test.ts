import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { recover, verify } from '../../src/recovery/index.js';
import { readWalDir } from '../../src/wal/segment.js';
import { tmpDir } from '../helpers/tmp.js';

const open: Store[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function storeWith(dir: string, rows: number, compactions: number): Promise<Record<string, unknown>[]> {
  const store = await openStore(dir, { sync: 'none', segmentBytes: 4096 });
  const t = await store.table('todos', { key: 'id' });
  let n = 0;
  for (let c = 0; c <= compactions; c++) {
    for (let i = 0; i < rows; i++, n++) await t.insert({ id: `t${n}`, text: `todo number ${n}`, n });
    await t.update({ id: `t${n - 1}`, text: 'changed' });
    if (c < compactions) await t.compact();
  }
  const all = await t.all();
  await store.close();
  return all as Record<string, unknown>[];
}

async function rowsOf(dir: string): Promise<Record<string, unknown>[]> {
  const store = await openStore(dir);
  open.push(store);
  const t = await store.table('todos');
  return (await t.all()) as Record<string, unknown>[];
}

const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.id).localeCompare(String(b.id));

describe('recover: snapshots', () => {
  it('a bad snapshot falls back to .prev plus the log above it, losing nothing (SNAPSHOT_FALLBACK)', async () => {
    const dir = tmpDir();
    const expected = await storeWith(dir, 30, 2);
    const snap = path.join(dir, 'todos.sdn');
    const bad = fs.readFileSync(snap, 'utf8').replace('todo number 3', 'todo number X');
    fs.unlinkSync(snap); // it is a hard link of nothing now, but keep .prev's inode intact
    fs.writeFileSync(snap, bad);
    expect((await verify(dir)).ok).toBe(false);
    const report = await recover(dir);
    const t = report.tables[0]!;
    expect(t.snapshot).toBe('fallback');
    expect(t.actions.join('\n')).toMatch(/SNAPSHOT_FALLBACK/);
    expect(fs.readdirSync(path.join(dir, 'quarantine')).some((f) => f.startsWith('todos.sdn.') && f.endsWith('.bad'))).toBe(true);
    expect((await rowsOf(dir)).sort(byId)).toEqual(expected.sort(byId));
    expect((await verify(dir)).ok).toBe(true);
  });

  it.each([
    ['emptied', ''],
    ['replaced by text without a meta block', 'todos |id, text|\n    x, y\n'],
  ])('a snapshot %s beside a good .prev falls back to .prev: recover (every policy) and a plain open lose nothing', async (_, text) => {
    for (const how of ['open', 'tolerate-tail', 'strict', 'salvage'] as const) {
      const dir = tmpDir();
      const expected = await storeWith(dir, 30, 2);
      fs.writeFileSync(path.join(dir, 'todos.sdn'), text);
      if (how !== 'open') {
        const report = await recover(dir, { policy: how });
        expect(report.tables[0]!.snapshot).toBe('fallback');
      }
      expect((await rowsOf(dir)).sort(byId)).toEqual(expected.sort(byId));
      expect((await verify(dir)).ok).toBe(true);
    }
  });

  it('both snapshots bad: CORRUPT_SNAPSHOT naming .prev and its line', async () => {
    const dir = tmpDir();
    await storeWith(dir, 5, 2);
    for (const f of ['todos.sdn', 'todos.sdn.prev']) {
      const p = path.join(dir, f);
      const text = fs.readFileSync(p, 'utf8').replace(/absorbed_segment: \d+/, 'absorbed_segment: "x"');
      fs.unlinkSync(p);
      fs.writeFileSync(p, text);
    }
    const err = await recover(dir).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CORRUPT_SNAPSHOT', file: path.join(dir, 'todos.sdn.prev') });
    expect((err as { line?: number }).line).toBeGreaterThan(1);
  });

  it('an interrupted swap (new snapshot renamed, old segments not yet deleted) deletes only what .prev absorbed', async () => {
    const dir = tmpDir();
    const store = await openStore(dir, { sync: 'none', segmentBytes: 4096 });
    const t = await store.table('todos', { key: 'id' });
    for (let i = 0; i < 60; i++) await t.insert({ id: `a${i}`, text: `first ${i}` });
    await t.compact();
    for (let i = 0; i < 60; i++) await t.insert({ id: `b${i}`, text: `second ${i}` });
    const wal = path.join(dir, 'todos.wal');
    // Keep copies of the segments the next compaction deletes, and put them back after it.
    const saved = new Map(readWalDir(wal).segments.map((s) => [s, fs.readFileSync(path.join(wal, String(s).padStart(20, '0') + '.seg'))]));
    const r = await t.compact();
    expect(r.deletedSegments.length).toBeGreaterThan(0);
    for (const s of r.deletedSegments) fs.writeFileSync(path.join(wal, String(s).padStart(20, '0') + '.seg'), saved.get(s)!);
    fs.writeFileSync(path.join(dir, 'todos.sdn.tmp'), 'meta:\n    half written');
    const expected = (await t.all()).sort(byId);
    await store.close();
    const report = await recover(dir);
    expect(report.tables[0]!.deletedSegments).toEqual(r.deletedSegments);
    expect(report.tables[0]!.tempFilesRemoved).toContain('todos.sdn.tmp');
    expect(fs.existsSync(path.join(dir, 'todos.sdn.tmp'))).toBe(false);
    expect((await rowsOf(dir)).sort(byId)).toEqual(expected);
    const again = await recover(dir);
    expect(again.tables[0]!.deletedSegments).toEqual([]);
  });
});
