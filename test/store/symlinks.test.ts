/** Symbolic links planted in a store are never followed: nothing outside the store is written or read as the store's. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, recover } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const COLUMNS = ['id', 'n'];

/** A store with table t holding rows a and b, compacted once, and a file outside it. */
async function setup(): Promise<{ root: string; db: string; outside: string }> {
  const root = tmpDir();
  const db = path.join(root, 'db');
  const outside = path.join(root, 'outside');
  fs.writeFileSync(outside, 'precious data that is not the store\'s\n');
  const s = await openStore(db);
  const t = await s.table('t', { key: 'id', columns: COLUMNS });
  await t.insert({ id: 'a', n: 1 });
  await t.compact();
  await t.insert({ id: 'b', n: 2 });
  await s.close();
  return { root, db, outside };
}

const untouched = (outside: string): void => expect(fs.readFileSync(outside, 'utf8')).toBe('precious data that is not the store\'s\n');

describe('symbolic links in a store', () => {
  it('a link at <table>.sdn.tmp: compaction replaces the link, never writes through it', async () => {
    const { db, outside } = await setup();
    fs.symlinkSync(outside, path.join(db, 't.sdn.tmp'));
    const r = await runCli(['compact', db]);
    expect(r.code, r.stderr).toBe(0);
    untouched(outside);
    expect(fs.lstatSync(path.join(db, 't.sdn')).isSymbolicLink()).toBe(false);
    const s = await openStore(db);
    expect((await (await s.table('t')).all()).map((r) => r.id).sort()).toEqual(['a', 'b']);
    await s.close();
  });

  it('a link at <table>.lock: the append is refused with UNSAFE_PATH naming it, the target untouched', async () => {
    const { db, outside } = await setup();
    fs.rmSync(path.join(db, 't.lock'));
    fs.symlinkSync(outside, path.join(db, 't.lock'));
    const err = await (async () => {
      const s = await openStore(db);
      try {
        await (await s.table('t')).insert({ id: 'c', n: 3 });
      } finally {
        await s.close().catch(() => undefined);
      }
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNSAFE_PATH' });
    expect(String((err as Error).message)).toContain('t.lock');
    untouched(outside);
  });

  it('a segment or snapshot that is a link is refused (UNSAFE_PATH), not read or appended to', async () => {
    const { db, root } = await setup();
    const wal = path.join(db, 't.wal');
    const seg = fs.readdirSync(wal).filter((f) => f.endsWith('.seg')).sort().at(-1)!;
    const moved = path.join(root, 'moved.seg');
    fs.renameSync(path.join(wal, seg), moved);
    fs.symlinkSync(moved, path.join(wal, seg));
    const size = fs.statSync(moved).size;
    await expect((async () => {
      const s = await openStore(db);
      await (await s.table('t')).insert({ id: 'c', n: 3 });
    })()).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expect(fs.statSync(moved).size).toBe(size);
    fs.rmSync(path.join(wal, seg));
    fs.renameSync(moved, path.join(wal, seg));
    const snap = path.join(db, 't.sdn');
    fs.renameSync(snap, path.join(root, 'moved.sdn'));
    fs.symlinkSync(path.join(root, 'moved.sdn'), snap);
    await expect(recover(db)).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
  });

  it('a log folder that is a link is refused before anything is created in it', async () => {
    const { db, root } = await setup();
    const elsewhere = path.join(root, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.rmSync(path.join(db, 't.spool'), { recursive: true, force: true });
    fs.symlinkSync(elsewhere, path.join(db, 't.spool'));
    await expect(openStore(db)).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it('a store directory that is itself a link works as usual', async () => {
    const { db, root } = await setup();
    const alias = path.join(root, 'alias');
    fs.symlinkSync(db, alias);
    const s = await openStore(alias);
    const t = await s.table('t');
    await t.insert({ id: 'c', n: 3 });
    await t.compact();
    expect(await t.count()).toBe(3);
    await s.close();
  });
});
