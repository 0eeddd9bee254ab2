import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { recoverStoreOnOpen } from '../../src/recovery/index.js';
import { FileLock } from '../../src/wal/lock.js';
import { currentBootId, readControlAt, writeControl } from '../../src/wal/control.js';
import { tmpDir } from '../helpers/tmp.js';
import { appendFrames, buildTable, write } from './log-builder.js';

function publish(lockPath: string, activeSeg: number, publishedEnd: number, bootId = currentBootId()): void {
  const fd = fs.openSync(lockPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  writeControl(fd, { bootId, activeSeg, publishedEnd, holderPid: 1, waiters: 0, generation: 1 });
  fs.closeSync(fd);
}

describe('recoverStoreOnOpen', () => {
  it('fast path: validates only the dead writer batch past published_end and cuts its torn part', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [4]);
    const seg = t.segments[0]!;
    const published = seg.size;
    publish(t.paths.lock, 1, published);
    appendFrames(seg, [write('late', published)]); // a complete frame the killed writer never published
    fs.appendFileSync(seg.file, Buffer.alloc(9, 0x5a)); // and a torn one
    const r = await recoverStoreOnOpen(dir);
    expect(r.tables[0]).toMatchObject({ mode: 'fast', entriesScanned: 1 });
    expect(r.tables[0]!.quarantined[0]).toMatchObject({ offset: seg.size, length: 9 });
    expect(fs.statSync(seg.file).size).toBe(seg.size);
    expect(readControlAt(t.paths.lock)).toMatchObject({ activeSeg: 1, publishedEnd: seg.size });
  });

  it('fast path that cut a torn tail and then needs the full sequence (a roll died after its SEAL) keeps the cut in the report', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [3]);
    const seg = t.segments[0]!;
    publish(t.paths.lock, 1, seg.size);
    appendFrames(seg, [{ seal: 2 }]); // the dead roller's SEAL, never published
    fs.appendFileSync(seg.file, Buffer.alloc(9, 0x5a)); // and a torn frame after it
    const r = await recoverStoreOnOpen(dir);
    expect(r.tables[0]).toMatchObject({ mode: 'full', rollFinished: true });
    expect(r.tables[0]!.quarantined).toEqual([expect.objectContaining({ segment: 1, offset: seg.size, length: 9 })]);
  });

  it('a record of another boot runs the full sequence', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [2, 2]);
    publish(t.paths.lock, 2, t.segments[1]!.size, '0'.repeat(32));
    const r = await recoverStoreOnOpen(dir);
    expect(r.tables[0]).toMatchObject({ mode: 'full', entriesScanned: 5, segments: [1, 2] });
  });

  it('a roll that died after its SEAL (size == published_end) is finished before any writer appends after the SEAL', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [3]);
    appendFrames(t.segments[0]!, [{ seal: 2 }]);
    publish(t.paths.lock, 1, t.segments[0]!.size);
    const r = await recoverStoreOnOpen(dir);
    expect(r.tables[0]).toMatchObject({ mode: 'full', rollFinished: true, segments: [1, 2] });
    expect(readControlAt(t.paths.lock)).toMatchObject({ activeSeg: 2 });
  });

  it('strict fails at open on a torn batch', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [2]);
    publish(t.paths.lock, 1, t.segments[0]!.size);
    fs.appendFileSync(t.segments[0]!.file, Buffer.alloc(30, 1));
    await expect(recoverStoreOnOpen(dir, 'strict')).rejects.toMatchObject({ code: 'CORRUPT_LOG', offset: t.segments[0]!.size });
  });
});

describe('opening a store with spooled writes', () => {
  it('drains writes spooled while the lock was busy, so they are visible without another append', async () => {
    const dir = tmpDir();
    const s = await openStore(dir);
    const t = await s.table('t', { key: 'id', onLockTimeout: 'spool', lockTimeoutMs: 50 });
    await t.insert({ id: 'a' });
    await t.insert({ id: 'warm' });
    await s.close();
    // Another holder keeps the lock past the timeout: the insert goes to the spool.
    const other = FileLock.for(`${dir}/t.lock`);
    const s2 = await openStore(dir);
    const t2 = await s2.table('t', { key: 'id', onLockTimeout: 'spool', lockTimeoutMs: 50 });
    await other.acquire();
    await t2.insert({ id: 'spooled' });
    other.release();
    await s2.close();
    expect(fs.readdirSync(`${dir}/t.spool`).filter((f) => f.endsWith('.w'))).toHaveLength(1);
    const s3 = await openStore(dir);
    expect(fs.readdirSync(`${dir}/t.spool`).filter((f) => f.endsWith('.w'))).toHaveLength(0);
    expect((await (await s3.table('t')).all()).map((r) => r.id).sort()).toEqual(['a', 'spooled', 'warm']);
    await s3.close();
  });
});
