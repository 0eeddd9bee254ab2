// The fold in a worker thread (src/compaction/fold-thread.ts), through the built package (dist/, built
// by the global setup): a worker needs the compiled script, so from these TypeScript sources the fold
// runs inline and only dist/ exercises the thread.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CorruptLogError, SdnwalError } from '../../src/errors.js';
import { reviveError, serializeError, workerAvailable } from '../../src/compaction/fold-thread.js';
import { CorruptSnapshotError } from '../../src/snapshot/corrupt.js';
import { tmpDir } from '../helpers/tmp.js';

const dist = (p: string): Promise<Record<string, unknown>> => import(pathToFileURL(path.resolve(import.meta.dirname, '../../dist', p)).href);

describe('the fold in a worker thread', () => {
  it('is used by the built package, not from the sources', async () => {
    expect(workerAvailable()).toBe(false);
    const built = (await dist('compaction/fold-thread.js')) as { workerAvailable: () => boolean };
    expect(built.workerAvailable()).toBe(true);
  });

  it("table.compact() folds in the worker: the same snapshot, and this thread's event loop keeps turning", async () => {
    const { openStore } = (await dist('index.js')) as unknown as typeof import('../../src/index.js');
    const dir = tmpDir();
    const store = await openStore(dir, { sync: 'none' });
    const t = await store.table('t', { key: 'id', columns: ['id', 'n', 'text'] });
    for (let i = 0; i < 60_000; i += 1000) await t.insertMany(Array.from({ length: 1000 }, (_, j) => ({ id: `k${i + j}`, n: i + j, text: `row ${i + j}` })));
    await t.update({ id: 'k5', text: 'changed' });
    await t.delete('k7');
    let turns = 0;
    let counting = true;
    const tick = (): void => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const report = await t.compact();
    counting = false;
    expect(report).toMatchObject({ skipped: false, rows: 59_999 });
    // An inline fold of 60,000 rows is one synchronous stretch: the loop would turn a few times (the roll).
    expect(turns).toBeGreaterThan(50);
    expect(await t.get('k5')).toEqual({ id: 'k5', n: 5, text: 'changed' });
    expect(await t.get('k7')).toBeUndefined();
    await store.close();
    const again = await openStore(dir, { readOnly: true });
    expect(await (await again.table('t')).count()).toBe(59_999);
    await again.close();
  });

  it("a sealed segment's damage comes back from the worker as the same typed error, nothing written", async () => {
    const { openStore } = (await dist('index.js')) as unknown as typeof import('../../src/index.js');
    const dir = tmpDir();
    const store = await openStore(dir, { sync: 'none' });
    const t = await store.table('t', { key: 'id' });
    await t.insertMany(Array.from({ length: 200 }, (_, i) => ({ id: `k${i}`, text: 'x'.repeat(50) })));
    await t.compact(); // segment 1 absorbed; segment 2 is the active one
    await t.insertMany(Array.from({ length: 200 }, (_, i) => ({ id: `m${i}`, text: 'y'.repeat(50) })));
    const seg = path.join(dir, 't.wal', '00000000000000000002.seg');
    const bytes = fs.readFileSync(seg);
    bytes[bytes.length - 100]! ^= 0xff;
    fs.writeFileSync(seg, bytes);
    const snapshot = fs.readFileSync(path.join(dir, 't.sdn'));
    const err = (await t.compact().catch((e: unknown) => e)) as { code: string; name: string; file: string; offset: number };
    expect(err).toMatchObject({ code: 'CORRUPT_LOG', name: 'CorruptLogError', file: seg });
    expect(err.offset).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(dir, 't.sdn')).equals(snapshot)).toBe(true);
    await store.close().catch(() => undefined);
  });

  it('a corrupted snapshot fails the compaction in the worker before the roll: CORRUPT_SNAPSHOT, nothing changed', async () => {
    const { openStore } = (await dist('index.js')) as unknown as typeof import('../../src/index.js');
    const dir = tmpDir();
    const store = await openStore(dir, { sync: 'none' });
    const t = await store.table('t', { key: 'id' });
    await t.insertMany(Array.from({ length: 50 }, (_, i) => ({ id: `k${i}`, text: `row ${i}` })));
    await t.compact();
    await t.insert({ id: 'late' });
    const file = path.join(dir, 't.sdn');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"row 7"', '"row 8"')); // caught by the rows-crc
    const segments = fs.readdirSync(path.join(dir, 't.wal'));
    await expect(t.compact()).rejects.toMatchObject({ code: 'CORRUPT_SNAPSHOT', name: 'CorruptSnapshotError', file });
    expect(fs.readdirSync(path.join(dir, 't.wal'))).toEqual(segments);
    await store.close();
  });
});

describe('errors across the thread boundary', () => {
  it('keep their class, code, message and fields', () => {
    for (const e of [new CorruptLogError('/x.seg', 12, 'bad'), new CorruptSnapshotError('/x.sdn', 3, 'worse'), new SdnwalError('DISK_FULL', 'full')]) {
      const back = reviveError(structuredClone(serializeError(e)));
      expect(back).toBeInstanceOf(e.constructor);
      expect(back).toMatchObject({ name: e.name, code: e.code, message: e.message });
      expect({ ...back }).toEqual({ ...e });
    }
    // A Node system error (ENOSPC from a write) stays one: not an SdnwalError, its fields kept.
    const sys = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const sysBack = reviveError(structuredClone(serializeError(sys)));
    expect(sysBack).not.toBeInstanceOf(SdnwalError);
    expect(sysBack).toMatchObject({ code: 'ENOSPC', errno: -28, syscall: 'write', message: sys.message });
    const plainErr = reviveError(structuredClone(serializeError(new TypeError('no'))));
    expect(plainErr).toBeInstanceOf(Error);
    expect(plainErr.message).toBe('no');
  });
});
