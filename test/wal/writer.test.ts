import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { io, realIO, setIO, type FileIO } from '../../src/io.js';
import { readControlAt } from '../../src/wal/control.js';
import { isSeal, isWrite, type PendingWrite } from '../../src/wal/entry.js';
import { tablePaths } from '../../src/wal/paths.js';
import { scanSegment } from '../../src/wal/reader.js';
import { newTableId, readWalDir } from '../../src/wal/segment.js';
import { segmentPath } from '../../src/wal/tail.js';
import { LogWriter, type WriterOptions } from '../../src/wal/writer.js';
import { tmpDir } from '../helpers/tmp.js';

const base: WriterOptions = {
  sync: 'always',
  batchMs: 20,
  batchBytes: 1 << 20,
  segmentBytes: 64 << 20,
  maxEntryBytes: 1 << 20,
  lockTimeoutMs: 5000,
  onLockTimeout: 'error',
};

function makeWriter(dir: string, opts: Partial<WriterOptions> = {}, tableId = newTableId()): LogWriter {
  fs.mkdirSync(dir, { recursive: true });
  return new LogWriter(tablePaths(dir, 'todos'), { table: 'todos', tableId }, () => 1, { ...base, ...opts });
}

function readAll(dir: string): { writes: PendingWrite[]; seals: number[]; segments: number[] } {
  const paths = tablePaths(dir, 'todos');
  const { segments } = readWalDir(paths.wal);
  const writes: PendingWrite[] = [];
  const seals: number[] = [];
  for (const s of segments) {
    const r = scanSegment({ path: segmentPath(paths, s) }, {
      segNo: s,
      onEntry: (e) => {
        if (isWrite(e)) writes.push(e);
        if (isSeal(e)) seals.push(s);
      },
    });
    expect(r.damage).toEqual([]);
  }
  return { writes, seals, segments };
}

const insert = (i: number) => ({ operation: 'insert' as const, rows: [{ key: `k${i}`, values: { id: `k${i}`, n: i } }], timestamp: 1 });

afterEach(() => setIO(realIO));

describe('LogWriter', () => {
  it('appends concurrent writes in call order, every one exactly once, with group commit', async () => {
    const dir = tmpDir();
    const w = makeWriter(dir);
    await Promise.all(Array.from({ length: 500 }, (_, i) => w.append(insert(i))));
    await w.close();
    const { writes } = readAll(dir);
    expect(writes.map((e) => e.rows[0]!.key)).toEqual(Array.from({ length: 500 }, (_, i) => `k${i}`));
    // 500 appends issued together share far fewer fdatasyncs than one each.
    expect(w.fsyncs).toBeGreaterThan(0);
    expect(w.fsyncs).toBeLessThan(500);
  });

  it('publishes the end of the log in the control record', async () => {
    const dir = tmpDir();
    const w = makeWriter(dir);
    await w.append(insert(1));
    const ctl = readControlAt(tablePaths(dir, 'todos').lock)!;
    expect(ctl.activeSeg).toBe(1);
    expect(ctl.publishedEnd).toBe(fs.statSync(segmentPath(tablePaths(dir, 'todos'), 1)).size);
    expect(ctl.holderPid).toBe(process.pid);
    await w.close();
  });

  it('rolls to a new segment past segmentBytes, sealing the old one', async () => {
    const dir = tmpDir();
    const w = makeWriter(dir, { segmentBytes: 4096 });
    for (let i = 0; i < 200; i++) await w.append(insert(i));
    await w.close();
    const { writes, seals, segments } = readAll(dir);
    expect(segments.length).toBeGreaterThan(2);
    expect(seals).toEqual(segments.slice(0, -1));
    expect(writes.map((e) => e.rows[0]!.key)).toEqual(Array.from({ length: 200 }, (_, i) => `k${i}`));
  });

  it('roll() seals the active segment and returns the highest sealed number; never rolls an empty one', async () => {
    const dir = tmpDir();
    const w = makeWriter(dir);
    await w.append(insert(1));
    expect(await w.roll()).toBe(1);
    expect(await w.roll()).toBe(1);
    await w.append(insert(2));
    expect(await w.roll()).toBe(2);
    await w.close();
    expect(readAll(dir).segments).toEqual([1, 2, 3]);
  });

  it("two writers in one process share the lock and never interleave frames", async () => {
    const dir = tmpDir();
    const id = newTableId();
    const a = makeWriter(dir, {}, id);
    const b = makeWriter(dir, {}, id);
    await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).append(insert(i))));
    await a.close();
    await b.close();
    expect(readAll(dir).writes.map((e) => e.rows[0]!.key).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `k${i}`).sort());
  });

  it("'none' and 'batch' modes acknowledge after the write", async () => {
    for (const sync of ['none', 'batch'] as const) {
      const dir = tmpDir();
      const w = makeWriter(dir, { sync });
      await Promise.all(Array.from({ length: 50 }, (_, i) => w.append(insert(i))));
      await w.close();
      expect(readAll(dir).writes).toHaveLength(50);
    }
  });

  it('rejects an entry over maxEntryBytes with ENTRY_TOO_LARGE and still writes the others', async () => {
    const dir = tmpDir();
    const w = makeWriter(dir, { maxEntryBytes: 1000 });
    const big = { operation: 'insert' as const, rows: [{ key: 'big', values: { s: 'x'.repeat(5000) } }], timestamp: 1 };
    const results = await Promise.allSettled([w.append(insert(1)), w.append(big), w.append(insert(2))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('ENTRY_TOO_LARGE');
    await w.close();
    expect(readAll(dir).writes.map((e) => e.rows[0]!.key)).toEqual(['k1', 'k2']);
  });

  it('a short write (disk full) rejects the batch with DISK_FULL and leaves the log as it was', async () => {
    const dir = tmpDir();
    const w = makeWriter(dir);
    await w.append(insert(1));
    const size = fs.statSync(segmentPath(tablePaths(dir, 'todos'), 1)).size;
    const faulty: FileIO = { ...realIO, writeSync: (fd, b, o, l, p) => realIO.writeSync(fd, b, o, Math.max(1, Math.floor(l / 2)), p) };
    setIO(faulty);
    await expect(w.append(insert(2))).rejects.toMatchObject({ code: 'DISK_FULL' });
    setIO(realIO);
    expect(fs.statSync(segmentPath(tablePaths(dir, 'todos'), 1)).size).toBe(size);
    await w.append(insert(3));
    await w.close();
    expect(readAll(dir).writes.map((e) => e.rows[0]!.key)).toEqual(['k1', 'k3']);
  });

  const eio = (): never => {
    throw Object.assign(new Error('EIO'), { code: 'EIO' });
  };
  it.each([
    ['inline (the default)', {}, { fdatasyncSync: eio }],
    ['in the threadpool', { inlineSync: false }, { fdatasync: async () => eio() }],
  ] as const)('a failed fdatasync %s rejects the appends it covered and fails the handle', async (_, opts, faults) => {
    const dir = tmpDir();
    const w = makeWriter(dir, opts);
    await w.append(insert(1));
    setIO({ ...realIO, ...faults });
    await expect(w.append(insert(2))).rejects.toMatchObject({ code: 'IO_ERROR' });
    setIO(realIO);
    expect(() => w.append(insert(3))).toThrow(expect.objectContaining({ code: 'HANDLE_FAILED' }));
  });

  /** EIO from every fdatasync of a segment (other files sync as usual). */
  const segmentSyncFails: FileIO = {
    ...realIO,
    fdatasyncSync: (fd) => (fs.readlinkSync(`/proc/self/fd/${fd}`).endsWith('.seg') ? eio() : realIO.fdatasyncSync(fd)),
  };
  const expectHandleFailed = (w: LogWriter): void => {
    setIO(realIO);
    expect(() => w.append(insert(9))).toThrow(expect.objectContaining({ code: 'HANDLE_FAILED' }));
  };

  it("a failed fdatasync of the roll's SEAL fails the batch and the handle (never retried on that descriptor)", async () => {
    const w = makeWriter(tmpDir(), { sync: 'none', segmentBytes: 200 });
    for (let i = 0; i < 3; i++) await w.append(insert(i));
    setIO(segmentSyncFails);
    let rejected: unknown;
    for (let i = 3; i < 20 && !rejected; i++) await w.append(insert(i)).catch((err: unknown) => (rejected = err));
    expect(rejected).toMatchObject({ code: 'IO_ERROR' });
    expectHandleFailed(w);
  });

  it("a failed fdatasync in roll() (the compactor's) fails the handle", async () => {
    const w = makeWriter(tmpDir(), { sync: 'none' });
    await w.append(insert(1));
    setIO(segmentSyncFails);
    await expect(w.roll()).rejects.toMatchObject({ code: 'IO_ERROR' });
    expectHandleFailed(w);
  });

  it('a failed fdatasync after cutting a torn tail fails the batch and the handle', async () => {
    const dir = tmpDir();
    const id = newTableId();
    const w = makeWriter(dir, { sync: 'none' }, id);
    await w.append(insert(1));
    await w.close();
    fs.appendFileSync(segmentPath(tablePaths(dir, 'todos'), 1), Buffer.from([7, 0, 0, 0, 1, 2, 3]));
    const w2 = makeWriter(dir, { sync: 'none' }, id);
    setIO(segmentSyncFails);
    await expect(w2.append(insert(2))).rejects.toMatchObject({ code: 'IO_ERROR' });
    expectHandleFailed(w2);
  });

  it('inline sync: an append resolves only after an fdatasync of its own fd that followed its write', async () => {
    const dir = tmpDir();
    const w = makeWriter(dir);
    const calls: string[] = [];
    setIO({
      ...realIO,
      writeSync: (...a) => (calls.push('write'), realIO.writeSync(...a)),
      fdatasyncSync: (fd) => (calls.push('fdatasync'), realIO.fdatasyncSync(fd)),
      fdatasync: async () => eio(),
    });
    const done = w.append(insert(1)).then(() => calls.push('resolved'));
    await done;
    setIO(realIO);
    // The control record's write follows the frame's; the sync follows both, the ack the sync.
    expect(calls.slice(-3)).toEqual(['write', 'fdatasync', 'resolved']);
    await w.close();
  });

  it("'none' keeps the lock across back-to-back batches and releases it when the event loop turns", async () => {
    const dir = tmpDir();
    const w = makeWriter(dir, { sync: 'none' });
    let controlReads = 0;
    setIO({ ...realIO, readSync: (...a) => (controlReads++, realIO.readSync(...a)) });
    // A kept lock is also given up after a couple of milliseconds (lock-lease.ts); a loaded machine
    // can take that long for 50 appends, so the clock stands still here.
    const clock = vi.spyOn(performance, 'now').mockReturnValue(1000);
    try {
      for (let i = 0; i < 50; i++) await w.append(insert(i));
    } finally {
      clock.mockRestore();
      setIO(realIO);
    }
    // One control-record read per lock taking: far fewer than one per batch.
    expect(controlReads).toBeLessThan(10);
    expect(w.lock.held).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(w.lock.held).toBe(false);
    expect(readAll(dir).writes.map((e) => e.rows[0]!.key)).toEqual(Array.from({ length: 50 }, (_, i) => `k${i}`));
    await w.close();
  });

  it("'none' gives a kept lock up after the batch that finds it held for 2 ms", async () => {
    const dir = tmpDir();
    const w = makeWriter(dir, { sync: 'none' });
    let now = 1000;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      await w.append(insert(1)); // takes the lock and keeps it (since = 1000)
      expect(w.lock.held).toBe(true);
      now = 1001.9;
      await w.append(insert(2)); // written under the kept lock, still inside the lease
      expect(w.lock.held).toBe(true);
      now = 1002;
      await w.append(insert(3)); // written under the kept lock, which then goes
      expect(w.lock.held).toBe(false);
    } finally {
      clock.mockRestore();
    }
    expect(readAll(dir).writes.map((e) => e.rows[0]!.key)).toEqual(['k1', 'k2', 'k3']);
    await w.close();
  });

  it("'none': a checked write (withLock) queued behind the kept lock gets it without waiting for the loop", async () => {
    const dir = tmpDir();
    const w = makeWriter(dir, { sync: 'none' });
    await w.append(insert(1));
    expect(w.lock.held).toBe(true);
    const tail = await w.withLock((log) => log.tail.end);
    expect(tail).toBe(fs.statSync(segmentPath(tablePaths(dir, 'todos'), 1)).size);
    expect(w.lock.held).toBe(false);
    await w.close();
  });

  it('a torn tail left by a dead writer is quarantined before the next append', async () => {
    const dir = tmpDir();
    const id = newTableId();
    const w = makeWriter(dir, {}, id);
    await w.append(insert(1));
    await w.close();
    const paths = tablePaths(dir, 'todos');
    const seg = segmentPath(paths, 1);
    const good = fs.statSync(seg).size;
    // A dead writer's half frame: bytes past published_end.
    fs.appendFileSync(seg, Buffer.from([7, 0, 0, 0, 1, 2, 3]));
    const w2 = makeWriter(dir, {}, id);
    await w2.append(insert(2));
    await w2.close();
    expect(readAll(dir).writes.map((e) => e.rows[0]!.key)).toEqual(['k1', 'k2']);
    const q = fs.readdirSync(paths.quarantine);
    expect(q).toContain(`todos.1.${good}.bin`);
    expect(fs.readFileSync(path.join(paths.quarantine, `todos.1.${good}.bin`))).toEqual(Buffer.from([7, 0, 0, 0, 1, 2, 3]));
  });

  it('drains the spool into the log, in order, exactly once, before its own batch', async () => {
    const dir = tmpDir();
    const w = makeWriter(dir);
    const { encodeEntry } = await import('../../src/wal/entry.js');
    await w.spool.queueWrite(encodeEntry({ ...insert(100), synced: 0 }));
    await w.spool.queueWrite(encodeEntry({ ...insert(101), synced: 0 }));
    await w.append(insert(1));
    await w.append(insert(2));
    await w.close();
    const { writes } = readAll(dir);
    expect(writes.map((e) => e.rows[0]!.key)).toEqual(['k100', 'k101', 'k1', 'k2']);
    expect(writes[0]!.spoolId).toBeTruthy();
    expect(w.spool.countPending()).toBe(0);
    expect(w.spool.listClaims()).toEqual([]);
  });

  it('with onLockTimeout spool, a write that cannot get the lock is queued, not lost', async () => {
    const dir = tmpDir();
    const w = makeWriter(dir, { lockTimeoutMs: 30, onLockTimeout: 'spool' });
    await w.append(insert(1));
    // Hold the lock from this process's FileLock for longer than the writer waits.
    await w.lock.acquire({ timeoutMs: 1000 });
    const p = w.append(insert(2));
    await p;
    w.lock.release();
    expect(w.spool.countPending()).toBe(1);
    await w.append(insert(3));
    await w.close();
    expect(readAll(dir).writes.map((e) => e.rows[0]!.key)).toEqual(['k1', 'k2', 'k3']);
  });

  it('flush() waits without spinning while a batch waits for the lock (this process stays under 10% of a core)', async () => {
    const w = makeWriter(tmpDir(), { lockTimeoutMs: 5_000 });
    await w.append(insert(1));
    await w.lock.acquire({ timeoutMs: 1000 });
    const queued = w.append(insert(2));
    const flushed = w.flush();
    const c0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 500));
    const { user, system } = process.cpuUsage(c0);
    w.lock.release();
    await Promise.all([queued, flushed]);
    await w.close();
    // A setImmediate loop would take most of the 500 ms; sleeping takes almost none.
    expect((user + system) / 1000).toBeLessThan(50);
  });

  it('a batch stops at 1 MiB of payload: large writes queued together go out in several writes, in order', async () => {
    const dir = tmpDir();
    const w = makeWriter(dir, { sync: 'none', segmentBytes: 64 << 20 });
    const big = (i: number) => ({ operation: 'insert' as const, rows: [{ key: `k${i}`, values: { id: `k${i}`, s: 'x'.repeat(100_000) } }], timestamp: 1 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => w.append(big(i))));
    // ~3 MB of payload: at least 3 batches, none much over 1 MiB (the write that crosses it ends its batch).
    expect(w.counters.batches).toBeGreaterThanOrEqual(3);
    expect(w.counters.bytes / w.counters.batches).toBeLessThan((1 << 20) + 110_000);
    await w.close();
    expect(readAll(dir).writes.map((e) => e.rows[0]!.key)).toEqual(Array.from({ length: 30 }, (_, i) => `k${i}`));
  });

  it('a checked write appends all of its entries or none: one too large rejects them all and writes nothing', async () => {
    const dir = tmpDir();
    const w = makeWriter(dir, { maxEntryBytes: 1000 });
    await w.append(insert(1));
    const huge = { operation: 'insert' as const, rows: [{ key: 'big', values: { s: 'y'.repeat(5000) } }], timestamp: 1 };
    await expect(w.withLock((log) => log.append([insert(2), huge]))).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE' });
    await w.append(insert(3));
    await w.close();
    expect(readAll(dir).writes.map((e) => e.rows[0]!.key)).toEqual(['k1', 'k3']);
  });
});
void io;
