import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fsyncDir, io, realIO, setIO, writeFully } from '../../src/io.js';
import { recover, verify } from '../../src/recovery/index.js';
import { openStore } from '../../src/store/store.js';
import { FileLock } from '../../src/wal/lock.js';
import { tablePaths } from '../../src/wal/paths.js';
import { FaultyIO, PAGE_BYTES, PowerCut } from '../helpers/faulty-io.js';
import { tmpDir } from '../helpers/tmp.js';

afterEach(() => setIO(realIO));

function writeAt(file: string, data: Buffer, at: number, sync: boolean): void {
  const fd = io.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  writeFully(fd, data, at);
  if (sync) io.fdatasyncSync(fd);
  io.closeSync(fd);
}

describe('the fault seam', () => {
  it('power loss keeps synced bytes, keeps or zeroes each unsynced page, and undoes unsynced creates', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'old'), 'durable at track time');
    const f = new FaultyIO();
    f.track(dir);
    setIO(f);
    const file = path.join(dir, 'log');
    writeAt(file, Buffer.alloc(PAGE_BYTES, 1), 0, true);
    fsyncDir(dir); // the file's name is durable now
    writeAt(file, Buffer.alloc(8 * PAGE_BYTES, 2), PAGE_BYTES, false);
    writeAt(path.join(dir, 'never-synced-name'), Buffer.from('x'), 0, true);
    const outcomes = new Set<string>();
    f.powerLoss(7);
    setIO(realIO);
    expect(fs.readFileSync(path.join(dir, 'old'), 'utf8')).toBe('durable at track time');
    expect(fs.existsSync(path.join(dir, 'never-synced-name'))).toBe(false);
    const after = fs.readFileSync(file);
    expect(after.subarray(0, PAGE_BYTES).equals(Buffer.alloc(PAGE_BYTES, 1))).toBe(true);
    for (let p = PAGE_BYTES; p < after.length; p += PAGE_BYTES) {
      const page = after.subarray(p, p + PAGE_BYTES);
      outcomes.add(page.every((b) => b === 2) ? 'kept' : page.every((b) => b === 0) ? 'zero' : 'mixed');
    }
    expect(outcomes.has('mixed')).toBe(false);
    expect(after.length === PAGE_BYTES || after.length === 9 * PAGE_BYTES).toBe(true);
  });

  it('some seeds keep unsynced pages and some lose them', () => {
    const lengths = new Set<number>();
    const kept = new Set<boolean>();
    for (let seed = 1; seed <= 12; seed++) {
      const dir = tmpDir();
      const f = new FaultyIO();
      f.track(dir);
      setIO(f);
      const file = path.join(dir, 'log');
      writeAt(file, Buffer.alloc(10, 1), 0, true);
      fsyncDir(dir);
      writeAt(file, Buffer.alloc(3 * PAGE_BYTES, 2), 10, false);
      f.powerLoss(seed);
      setIO(realIO);
      const b = fs.readFileSync(file);
      lengths.add(b.length);
      kept.add(b.includes(2));
      expect(b.subarray(0, 10).equals(Buffer.alloc(10, 1))).toBe(true);
    }
    expect(lengths.size).toBe(2);
    expect(kept).toEqual(new Set([true, false]));
  });

  it('after the cut every call throws PowerCut', () => {
    const dir = tmpDir();
    const f = new FaultyIO();
    f.cutAfter = 1;
    setIO(f);
    const fd = io.openSync(path.join(dir, 'a'), 'w'); // op 1
    expect(() => io.writeSync(fd, Buffer.from('x'), 0, 1, 0)).toThrow(PowerCut);
    expect(() => io.fstatSync(fd)).toThrow(PowerCut);
    setIO(realIO);
    realIO.closeSync(fd);
  });
});

describe('appends under injected faults', () => {
  const setup = async (f: FaultyIO) => {
    const dir = tmpDir();
    const store = await openStore(dir, { sync: 'always' });
    const t = await store.table('todos', { key: 'id' });
    await t.insert({ id: 'before' });
    setIO(f);
    return { dir, store, t };
  };
  const reopen = async (dir: string) => {
    const p = tablePaths(dir, 'todos');
    await recover(dir);
    expect((await verify(dir)).ok).toBe(true);
    FileLock.for(p.lock).close();
    const store = await openStore(dir);
    const rows = (await (await store.table('todos')).all()).map((r) => r.id).sort();
    await store.close();
    return rows;
  };

  it.each(['EIO', 'ENOSPC'] as const)('%s on the write rejects the append with a typed error; the log stays recoverable', async (code) => {
    const f = new FaultyIO();
    f.faults.push({ op: 'write', nth: 1, code });
    const { dir, t } = await setup(f);
    await expect(t.insert({ id: 'failed' })).rejects.toMatchObject({ code: code === 'ENOSPC' ? 'DISK_FULL' : 'IO_ERROR' });
    setIO(realIO);
    expect(await reopen(dir)).toEqual(['before']);
  });

  it('a short write rejects the append (DISK_FULL) and leaves no partial frame', async () => {
    const f = new FaultyIO();
    f.faults.push({ op: 'short-write', nth: 1 });
    const { dir, t } = await setup(f);
    await expect(t.insert({ id: 'short', text: 'y'.repeat(100) })).rejects.toMatchObject({ code: 'DISK_FULL' });
    setIO(realIO);
    expect(await reopen(dir)).toEqual(['before']);
  });

  it('EIO on the fdatasync rejects the append (never acknowledged); recovery opens the store', async () => {
    const f = new FaultyIO();
    f.faults.push({ op: 'fsync', nth: 1, code: 'EIO' });
    const { dir, t } = await setup(f);
    await expect(t.insert({ id: 'unsynced' })).rejects.toMatchObject({ code: expect.any(String) });
    setIO(realIO);
    // Its frame was written, so it may be present (the outcome of a rejected append is unknown).
    const rows = await reopen(dir);
    expect(rows).toContain('before');
    expect(rows.every((r) => r === 'before' || r === 'unsynced')).toBe(true);
  });
});
