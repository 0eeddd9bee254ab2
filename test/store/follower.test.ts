/**
 * The catch-up reader (src/store/follower.ts) on logs built byte by byte: what it reads without a
 * live control record (read by file size), damage as reads see it, a store directory made again
 * under it, and that descriptors do not outlive their users (docs/protocol.md §8).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FileIO, realIO, setIO } from '../../src/io.js';
import { openStore } from '../../src/index.js';
import { LogFollower } from '../../src/store/follower.js';
import { publishControl } from '../../src/wal/control.js';
import { encodeEntry, type PendingWrite } from '../../src/wal/entry.js';
import { encodeFrames } from '../../src/wal/frame.js';
import { tablePaths } from '../../src/wal/paths.js';
import { segmentPath } from '../../src/wal/tail.js';
import { openFds } from '../helpers/fds.js';
import { tmpDir } from '../helpers/tmp.js';
import { buildLog, flipBit, TABLE, TABLE_ID, write } from '../wal/log-builder.js';

afterEach(() => setIO(realIO));

/** A store directory holding only segment 1 of table `todos` (no lock file: no live control record). */
function logOnly(entries: PendingWrite[]): { paths: ReturnType<typeof tablePaths>; file: string; end: number } {
  const dir = tmpDir();
  const paths = tablePaths(dir, TABLE);
  fs.mkdirSync(paths.wal);
  const built = buildLog(1, entries);
  const file = segmentPath(paths, 1);
  fs.writeFileSync(file, built.buf);
  return { paths, file, end: built.buf.length };
}

function appendFrame(file: string, w: PendingWrite): void {
  const at = fs.statSync(file).size;
  fs.appendFileSync(file, encodeFrames(1, at, [encodeEntry(w)]));
}

function keysOf(f: LogFollower): string[] {
  const got: string[] = [];
  f.poll((w) => got.push(...w.rows.map((r) => r.key)));
  return got;
}


describe('LogFollower without a live control record (read by file size)', () => {
  it('a write landing while a poll reads is read by the next poll, not skipped as "size unchanged"', () => {
    const { paths, file } = logOnly([write(0), write(1)]);
    const f = new LogFollower(paths, 0, { table: TABLE, tableId: TABLE_ID });
    expect(keysOf(f)).toEqual(['k0', 'k1']);
    appendFrame(file, write(2));
    // A writer appends k3 between the poll's fstat and the scan's: this poll reads up to k2.
    let armed = true;
    let calls = 0;
    const racing: FileIO = {
      ...realIO,
      fstatSync: (fd) => {
        const st = realIO.fstatSync(fd);
        if (armed && ++calls === 1) {
          armed = false;
          appendFrame(file, write(3));
        }
        return st;
      },
    };
    setIO(racing);
    const first = keysOf(f);
    setIO(realIO);
    expect(first).toContain('k2');
    const later = keysOf(f);
    expect([...first, ...later].filter((k) => k === 'k3')).toEqual(['k3']);
    f.close();
  });
});

describe('LogFollower: damage as reads see it (docs/protocol.md §8)', () => {
  it('get/all/count: an unsynced hole (a power loss, no live record) ends the read at the last good frame', () => {
    // k0, k1 good; k2's payload damaged; k3 valid after it but synced says nothing past k2 was durable.
    const built = buildLog(1, [write(0), write(1), write(2), write(3)]);
    const [, , k2] = built.frames;
    const dir = tmpDir();
    const paths = tablePaths(dir, TABLE);
    fs.mkdirSync(paths.wal);
    fs.writeFileSync(segmentPath(paths, 1), flipBit(built.buf, k2![1] - 2));
    const f = new LogFollower(paths, 0, { table: TABLE, tableId: TABLE_ID });
    expect(keysOf(f)).toEqual(['k0', 'k1']);
    expect(keysOf(f)).toEqual([]);
    f.close();
  });

  it('a read-only table after a power loss: all() and count() give the rows before the hole', async () => {
    const dir = tmpDir();
    // sync 'none': no write claims to be durable, so damage followed by valid frames is a power-loss hole.
    const s = await openStore(dir, { sync: 'none' });
    const t = await s.table('t', { key: 'id' });
    for (let i = 0; i < 4; i++) await t.insert({ id: `r${i}`, pad: 'x'.repeat(50) });
    await s.close();
    const p = tablePaths(dir, 't');
    const seg = segmentPath(p, 1);
    const buf = fs.readFileSync(seg);
    // Damage the third write's payload (its key's bytes).
    const starts: number[] = [];
    for (let i = 0; i < 4; i++) starts.push(buf.indexOf(Buffer.from(`r${i}`)));
    buf[starts[2]!]! ^= 1;
    fs.writeFileSync(seg, buf);
    // Another boot: the control record does not count (zero its boot id, which also fails its CRC).
    const lock = fs.openSync(p.lock, 'r+');
    fs.writeSync(lock, Buffer.alloc(16), 0, 16, 8);
    fs.closeSync(lock);
    const ro = await openStore(dir, { readOnly: true });
    const rt = await ro.table('t');
    expect(await rt.count()).toBe(2);
    expect((await rt.all()).map((r) => r.id)).toEqual(['r0', 'r1']);
    await ro.close();
  });
});

describe('LogFollower: a sealed segment whose header is cut short', () => {
  it('is CORRUPT_LOG for reads and watch(), never a silent stop before the segments above it', () => {
    const dir = tmpDir();
    const paths = tablePaths(dir, TABLE);
    fs.mkdirSync(paths.wal);
    // Segment 1 lost all but 10 bytes; segment 2 (the active one) holds a write.
    fs.writeFileSync(segmentPath(paths, 1), buildLog(1, [write(0)]).buf.subarray(0, 10));
    const two = buildLog(2, [write(1)]);
    fs.writeFileSync(segmentPath(paths, 2), two.buf);
    const lock = fs.openSync(paths.lock, 'w+');
    publishControl(lock, undefined, 2, two.buf.length);
    fs.closeSync(lock);
    for (const strict of [false, true]) {
      const f = new LogFollower(paths, 0, { table: TABLE, tableId: TABLE_ID });
      expect(() => f.poll(() => {}, { strict })).toThrow(expect.objectContaining({ code: 'CORRUPT_LOG' }));
      f.close();
    }
  });
});

describe('LogFollower: the store directory made again under a reader', () => {
  it('a reader holding a segment above the new log\'s active one does not keep serving the old rows', async () => {
    const dir = tmpDir();
    const s = await openStore(dir, { segmentBytes: 4096 });
    const t = await s.table('t', { key: 'id' });
    for (let i = 0; i < 60; i++) await t.insert({ id: `old${i}`, pad: 'x'.repeat(200) });
    expect((await t.all()).length).toBe(60);
    const segs = fs.readdirSync(tablePaths(dir, 't').wal);
    expect(segs.length).toBeGreaterThan(1);
    // Another process removes the store and makes a new one at the same path.
    fs.rmSync(dir, { recursive: true });
    const s2 = await openStore(dir);
    const t2 = await s2.table('t', { key: 'id' });
    await t2.insert({ id: 'new' });
    await s2.close();
    // The old table's reads: never the rows of a directory that is gone.
    const read = await t.all().then(
      (rows) => rows.map((r) => r.id),
      (err: { code?: string }) => err.code,
    );
    expect(read).not.toContain('old0');
    await s.close();
  });
});

describe('descriptors', () => {
  it('store.close() closes what reads, count() and watch() held', async () => {
    const dir = tmpDir();
    const before = openFds();
    const s = await openStore(dir);
    const t = await s.table('t', { key: 'id' });
    for (let i = 0; i < 5; i++) await t.insert({ id: `r${i}` });
    expect(await t.count()).toBe(5);
    expect((await t.all()).length).toBe(5);
    const w = t.watch({ fromStart: true });
    expect((await w.next()).value?.rows[0]?.key).toBe('r0');
    await s.close();
    expect(openFds()).toEqual(before);
  });

  it('a checked write waiting for the lock when the store closes leaves no descriptor open', async () => {
    const dir = tmpDir();
    const before = openFds();
    const s = await openStore(dir, { lockTimeoutMs: 2000 });
    const t = await s.table('t', { key: 'id' });
    await t.insert({ id: 'a' });
    expect((await t.all()).length).toBe(1);
    // Hold the table lock from "another process" (a separate open file description).
    const fsExt = (await import('fs-ext')).default;
    const other = fs.openSync(path.join(dir, 't.lock'), 'r+');
    fsExt.flockSync(other, 'exnb');
    const m = t.modify('a', (r) => ({ ...r!, n: 1 }));
    await new Promise((r) => setTimeout(r, 50));
    const closing = s.close();
    setTimeout(() => fsExt.flockSync(other, 'un'), 100);
    const [written, closed] = await Promise.allSettled([m, closing]);
    fs.closeSync(other);
    expect(openFds()).toEqual(before);
    // close() waited for the pending checked write, which landed.
    expect(written).toMatchObject({ status: 'fulfilled', value: { id: 'a', n: 1 } });
    expect(closed.status).toBe('fulfilled');
    const again = await openStore(dir, { readOnly: true });
    expect(await (await again.table('t')).get('a')).toEqual({ id: 'a', n: 1 });
    await again.close();
  });
});
