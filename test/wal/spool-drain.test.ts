/** Draining the spool exactly once, when drainers die at the worst moments. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { realIO, setIO } from '../../src/io.js';
import { encodeEntry, isWrite } from '../../src/wal/entry.js';
import { tablePaths } from '../../src/wal/paths.js';
import { scanSegment } from '../../src/wal/reader.js';
import { newTableId, readWalDir } from '../../src/wal/segment.js';
import { Spool } from '../../src/wal/spool.js';
import { segmentPath } from '../../src/wal/tail.js';
import { LogWriter, type WriterOptions } from '../../src/wal/writer.js';
import { tmpDir } from '../helpers/tmp.js';

afterEach(() => setIO(realIO));

const opts: WriterOptions = { sync: 'always', batchMs: 5, batchBytes: 1 << 20, segmentBytes: 1 << 20, maxEntryBytes: 1 << 20, lockTimeoutMs: 5000, onLockTimeout: 'error' };
const insert = (id: string) => ({ operation: 'insert' as const, rows: [{ key: id, values: { id } }], timestamp: 1 });

function spoolIds(dir: string): string[] {
  const paths = tablePaths(dir, 'todos');
  const ids: string[] = [];
  for (const s of readWalDir(paths.wal).segments) {
    scanSegment({ path: segmentPath(paths, s) }, { segNo: s, onEntry: (e) => isWrite(e) && e.spoolId && ids.push(e.spoolId) });
  }
  return ids;
}

describe('spool drain', () => {
  it("a dead drainer's claim that landed is fdatasynced before the claim is deleted", async () => {
    const dir = tmpDir();
    const id = newTableId();
    const paths = tablePaths(dir, 'todos');
    const w = new LogWriter(paths, { table: 'todos', tableId: id }, () => 1, { ...opts, sync: 'none' });
    await w.append(insert('a'));
    const spool = new Spool(paths.spool);
    const queued = await spool.queueWrite(encodeEntry({ ...insert('spooled'), synced: 0 }));
    // Drain it into the log, then put its claim back as a drainer that died before deleting it would leave it.
    setIO({ ...realIO, unlinkSync: (p) => (p.includes('.claimed.') ? (() => { throw Object.assign(new Error('killed'), { code: 'EIO' }); })() : realIO.unlinkSync(p)) });
    await w.append(insert('b')).catch(() => undefined);
    setIO(realIO);
    await w.close().catch(() => undefined);
    expect(spoolIds(dir)).toEqual([queued]);
    const ops: string[] = [];
    setIO({
      ...realIO,
      fdatasyncSync: (fd) => (ops.push('sync'), realIO.fdatasyncSync(fd)),
      unlinkSync: (p) => (ops.push(p.includes('.claimed.') ? 'unlink-claim' : 'unlink'), realIO.unlinkSync(p)),
    });
    const w2 = new LogWriter(paths, { table: 'todos', tableId: id }, () => 1, { ...opts, sync: 'none' });
    await w2.append(insert('c'));
    setIO(realIO);
    await w2.close();
    expect(ops).toContain('unlink-claim');
    expect(ops.indexOf('sync')).toBeGreaterThanOrEqual(0);
    expect(ops.indexOf('sync')).toBeLessThan(ops.indexOf('unlink-claim'));
    expect(spoolIds(dir)).toEqual([queued]);
  });


  it("a dead drainer's claim is claimed again at its new offset before it is written, so a second death cannot triple it", async () => {
    const dir = tmpDir();
    const id = newTableId();
    const paths = tablePaths(dir, 'todos');
    const w = new LogWriter(paths, { table: 'todos', tableId: id }, () => 1, opts);
    await w.append(insert('a'));
    await w.close();
    // A drainer claimed this write at an offset past the end, then died before writing it.
    const spool = new Spool(paths.spool);
    const queued = await spool.queueWrite(encodeEntry({ ...insert('spooled'), synced: 0 }));
    spool.claim(queued, 1, 999_999);
    // This drainer appends it, then dies after the fdatasync, before deleting the claim.
    setIO({ ...realIO, unlinkSync: (p) => (p.includes('.claimed.') ? (() => { throw Object.assign(new Error('killed'), { code: 'EIO' }); })() : realIO.unlinkSync(p)) });
    const w2 = new LogWriter(paths, { table: 'todos', tableId: id }, () => 1, opts);
    await expect(w2.append(insert('b'))).rejects.toMatchObject({ code: 'IO_ERROR' });
    setIO(realIO);
    const claims = fs.readdirSync(paths.spool).filter((f) => f.includes('.claimed.'));
    expect(claims).toHaveLength(1);
    expect(claims[0]).not.toContain('.999999');
    expect(spoolIds(dir)).toEqual([queued]);
    // The next drainer finds the claim landed where it names: deleted, never appended again.
    const w3 = new LogWriter(paths, { table: 'todos', tableId: id }, () => 1, opts);
    await w3.append(insert('c'));
    await w3.close();
    await w2.close().catch(() => undefined);
    expect(spoolIds(dir)).toEqual([queued]);
    expect(fs.readdirSync(paths.spool).filter((f) => f.includes('.claimed.'))).toEqual([]);
  });
});
