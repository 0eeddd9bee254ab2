/**
 * The segment reader, after LevelDB's log_test.cc: each damage test asserts the records
 * returned, the bytes dropped (offset, length) and the reason (classification).
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type FileIO, realIO, setIO } from '../../src/io.js';
import { type LogEntry, isWrite } from '../../src/wal/entry.js';
import { encodeFrames } from '../../src/wal/frame.js';
import { type ScanOptions, type ScanResult, scanSegment } from '../../src/wal/reader.js';
import { tmpDir } from '../helpers/tmp.js';
import { TABLE, TABLE_ID, buildLog, flipBit, segHeader, syncedWrites, write, writeFile } from './log-builder.js';

const SEG = 3;

afterEach(() => setIO(realIO));

type Scan = ScanResult & { keys: string[]; offsets: [number, number][] };

/** Scan an in-file image; collect the delivered rows' keys and frame offsets. */
function scan(buf: Buffer, opts: Partial<ScanOptions> = {}): Scan {
  const file = writeFile(tmpDir(), 'seg', buf);
  const keys: string[] = [];
  const offsets: [number, number][] = [];
  const r = scanSegment({ path: file }, {
    segNo: SEG,
    expect: { table: TABLE, tableId: TABLE_ID },
    ...opts,
    onEntry: (e: LogEntry, at, end) => {
      keys.push(isWrite(e) ? e.rows[0]!.key : JSON.stringify(e));
      offsets.push([at, end]);
      opts.onEntry?.(e, at, end);
    },
  });
  return { ...r, keys, offsets };
}

const keysUpTo = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);

describe('a clean segment', () => {
  it('delivers every entry in order with its frame offsets, no damage', () => {
    const log = syncedWrites(SEG, 10);
    const r = scan(log.buf);
    expect(r.keys).toEqual(keysUpTo(10));
    expect(r.offsets).toEqual(log.frames);
    expect(r).toMatchObject({ headerLength: log.headerLength, end: log.buf.length, lastEnd: log.buf.length, size: log.buf.length, frames: 10, damage: [] });
    expect(r.header).toEqual(segHeader(SEG));
    expect(r.headerProblem).toBeUndefined();
  });

  it('reads an empty segment (header only) as no frames', () => {
    const log = buildLog(SEG, []);
    expect(scan(log.buf)).toMatchObject({ frames: 0, end: log.headerLength, damage: [] });
  });
});

describe('torn tails', () => {
  it('cut at every byte offset of the last three frames: complete frames kept, the cut a torn tail', () => {
    const log = syncedWrites(SEG, 6, 20);
    const firstCut = log.frames[3]![0];
    for (let cut = firstCut; cut < log.buf.length; cut++) {
      const r = scan(log.buf.subarray(0, cut));
      const complete = log.frames.filter(([, end]) => end <= cut).length;
      const end = log.frames[complete - 1]![1];
      expect(r.keys).toEqual(keysUpTo(complete));
      expect(r.end).toBe(end);
      if (cut === end) {
        expect(r.damage).toEqual([]);
      } else {
        expect(r.damage).toHaveLength(1);
        expect(r.damage[0]).toMatchObject({ kind: 'torn-tail', offset: end, length: cut - end, framesAfter: 0 });
      }
    }
  });

  it('a header cut short at end of file is a torn tail at 0', () => {
    const log = syncedWrites(SEG, 1);
    for (const cut of [1, 6, 11, 20, log.headerLength - 1]) {
      const r = scan(log.buf.subarray(0, cut));
      expect(r).toMatchObject({ headerProblem: 'short', frames: 0, end: 0 });
      expect(r.damage).toEqual([expect.objectContaining({ kind: 'torn-tail', offset: 0, length: cut })]);
    }
  });

  for (const zeros of [1, 11, 12, 13, 100, 4096, 70_000]) {
    it(`zero-filled tail of ${zeros} bytes is a torn tail`, () => {
      const log = syncedWrites(SEG, 5);
      const r = scan(Buffer.concat([log.buf, Buffer.alloc(zeros)]));
      expect(r.keys).toEqual(keysUpTo(5));
      expect(r.end).toBe(log.buf.length);
      expect(r.damage).toEqual([expect.objectContaining({ kind: 'torn-tail', offset: log.buf.length, length: zeros })]);
    });
  }

  it('garbage appended after the last frame is a torn tail', () => {
    const log = syncedWrites(SEG, 5);
    const garbage = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) & 0xff));
    const r = scan(Buffer.concat([log.buf, garbage]));
    expect(r.keys).toEqual(keysUpTo(5));
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'torn-tail', offset: log.buf.length, length: 3000 })]);
  });

  it('a zeroed last frame (a power loss took its page) is a torn tail', () => {
    const log = syncedWrites(SEG, 4);
    const [start, end] = log.frames[3]!;
    const buf = Buffer.from(log.buf);
    buf.fill(0, start, end);
    const r = scan(buf);
    expect(r.keys).toEqual(keysUpTo(3));
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'torn-tail', offset: start, length: end - start })]);
  });
});

describe('damage followed by valid frames', () => {
  it('a flipped bit mid-file is corruption when a later frame has synced beyond it', () => {
    const log = syncedWrites(SEG, 10);
    const [start, end] = log.frames[4]!;
    const r = scan(flipBit(log.buf, start + 20, 3));
    expect(r.keys).toEqual(keysUpTo(4));
    expect(r.end).toBe(start);
    expect(r.damage).toHaveLength(1);
    expect(r.damage[0]).toMatchObject({ kind: 'corruption', offset: start, length: end - start, framesAfter: 5 });
    expect(r.damage[0]!.reason).toMatch(/payload checksum/);
  });

  it('a flipped bit in a length field is found the same way (len is not trusted)', () => {
    const log = syncedWrites(SEG, 10);
    const [start, end] = log.frames[6]!;
    const r = scan(flipBit(log.buf, start + 2, 0));
    expect(r.keys).toEqual(keysUpTo(6));
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'corruption', offset: start, length: end - start, framesAfter: 3 })]);
    expect(r.damage[0]!.reason).toMatch(/bad frame header/);
  });

  it('the same flip is an unsynced hole when no later frame was synced beyond it', () => {
    const log = buildLog(SEG, Array.from({ length: 10 }, (_, i) => write(i, 0)));
    const [start, end] = log.frames[4]!;
    const r = scan(flipBit(log.buf, start + 20, 3));
    expect(r.keys).toEqual(keysUpTo(4));
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'unsynced-hole', offset: start, length: end - start, framesAfter: 5 })]);
  });

  it('a power loss that zeroed a middle page and kept later ones is an unsynced hole', () => {
    // Frames 0-3 were fdatasynced; 4-7 were written after, each saying "durable up to frame 4's start".
    let durable = 0;
    const log = buildLog(SEG, Array.from({ length: 8 }, (_, i) => (start: number) => {
      if (i === 4) durable = start;
      return write(i, i < 4 ? 0 : durable);
    }));
    expect(durable).toBe(log.frames[3]![1]);
    const buf = Buffer.from(log.buf);
    buf.fill(0, log.frames[5]![0], log.frames[6]![0]);
    const r = scan(buf);
    expect(r.keys).toEqual(keysUpTo(5));
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'unsynced-hole', offset: log.frames[5]![0], length: log.frames[6]![0] - log.frames[5]![0], framesAfter: 2 })]);
  });

  it('without resync only the first damage is reported, classified by every later frame', () => {
    const log = buildLog(SEG, [...Array.from({ length: 6 }, (_, i) => write(i, 0)), (start: number) => write(6, start)]);
    let buf = flipBit(log.buf, log.frames[1]![0] + 15);
    buf = flipBit(buf, log.frames[4]![0] + 15);
    const r = scan(buf);
    expect(r.keys).toEqual(['k0']);
    // Frame 6 is past a second damaged range but still proves frame 1 had been durable.
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'corruption', offset: log.frames[1]![0], framesAfter: 4 })]);
  });

  it('a CRC-valid payload that is not an entry is corruption of exactly that frame', () => {
    const good = syncedWrites(SEG, 3);
    const at = good.buf.length;
    const junk = encodeFrames(SEG, at, [Buffer.from([0x93, 1, 2, 3])]);
    const r = scan(Buffer.concat([good.buf, junk]));
    expect(r.keys).toEqual(keysUpTo(3));
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'corruption', offset: at, length: junk.length, framesAfter: 0 })]);
    expect(r.damage[0]!.reason).toMatch(/expected a map/);
  });
});

describe('resync (salvage)', () => {
  it('keeps every frame after damage and reports each damaged byte range exactly', () => {
    const log = syncedWrites(SEG, 12);
    const f = log.frames;
    let buf = flipBit(log.buf, f[2]![0] + 30);
    buf.fill(0xee, f[6]![0] + 5, f[8]![0] + 3); // garbage across frames 6, 7 and into 8
    buf = Buffer.from(buf);
    const r = scan(buf, { resync: true });
    expect(r.keys).toEqual(['k0', 'k1', 'k3', 'k4', 'k5', 'k9', 'k10', 'k11']);
    expect(r.end).toBe(f[2]![0]);
    expect(r.lastEnd).toBe(buf.length);
    expect(r.frames).toBe(8);
    expect(r.damage).toEqual([
      expect.objectContaining({ kind: 'corruption', offset: f[2]![0], length: f[3]![0] - f[2]![0], framesAfter: 6 }),
      expect.objectContaining({ kind: 'corruption', offset: f[6]![0], length: f[9]![0] - f[6]![0], framesAfter: 3 }),
    ]);
  });

  it('reports a damaged range with nothing valid after it as a torn tail', () => {
    const log = syncedWrites(SEG, 6);
    const f = log.frames;
    const buf = flipBit(log.buf, f[1]![0] + 20);
    const r = scan(Buffer.concat([buf, Buffer.alloc(50)]), { resync: true });
    expect(r.keys).toEqual(['k0', 'k2', 'k3', 'k4', 'k5']);
    expect(r.damage.map((d) => [d.kind, d.offset, d.length])).toEqual([
      ['corruption', f[1]![0], f[2]![0] - f[1]![0]],
      ['torn-tail', buf.length, 50],
    ]);
  });

  it('does not resync onto a copy of a genuine frame stored inside a payload', () => {
    // A row whose value holds the bytes of frame 0: valid, but only at frame 0's offset.
    const log = buildLog(SEG, [write(0, 0)]);
    const copy = log.buf.subarray(log.frames[0]![0], log.frames[0]![1]);
    const outer = buildLog(SEG, [write(0, 0), { ...write(1, 0), rows: [{ key: 'k1', values: { blob: copy } }] }, write(2, 0)]);
    const buf = flipBit(outer.buf, outer.frames[1]![0] + 4); // break frame 1's header
    const r = scan(buf, { resync: true });
    expect(r.keys).toEqual(['k0', 'k2']);
    expect(r.damage).toEqual([expect.objectContaining({ offset: outer.frames[1]![0], length: outer.frames[2]![0] - outer.frames[1]![0] })]);
  });
});

describe('frames in the wrong place', () => {
  it('a frame of another segment number copied in fails its hcrc', () => {
    const mine = syncedWrites(SEG, 6);
    const other = syncedWrites(SEG + 1, 6);
    const [start, end] = mine.frames[2]!;
    expect(other.frames[2]).toEqual([start, end]); // same offsets, same sizes
    const buf = Buffer.from(mine.buf);
    other.buf.copy(buf, start, start, end);
    const r = scan(buf);
    expect(r.keys).toEqual(keysUpTo(2));
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'corruption', offset: start, length: end - start, framesAfter: 3 })]);
    expect(r.damage[0]!.reason).toMatch(/bad frame header/);
  });

  it('a frame moved to another offset of the same segment fails its hcrc', () => {
    const log = buildLog(SEG, [write(0, 0), write(1, 0), write(2, 0)]);
    const [s1, e1] = log.frames[1]!;
    const buf = Buffer.concat([log.buf.subarray(0, s1), log.buf.subarray(log.frames[2]![0]), log.buf.subarray(s1, e1)]);
    const r = scan(buf, { resync: true });
    expect(r.keys).toEqual(['k0']);
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'torn-tail', offset: s1, length: buf.length - s1 })]);
  });
});

describe('headers', () => {
  it.each([
    ['another table', { table: 'other' }],
    ['another table id', { tableId: 'ffffffffffffffffffffffffffffffff' }],
    ['another segment number', { segment: SEG + 1 }],
  ])('a header naming %s is foreign and no frame is read', (_name, over) => {
    const log = buildLog(SEG, [write(0, 0)], segHeader(SEG, over));
    const r = scan(log.buf);
    expect(r).toMatchObject({ headerProblem: 'foreign', frames: 0, damage: [] });
    expect(r.header).toMatchObject(over);
    expect(r.keys).toEqual([]);
  });

  it('without `expect`, only the segment number is checked', () => {
    const log = buildLog(SEG, [write(0, 0)], segHeader(SEG, { table: 'other' }));
    const file = writeFile(tmpDir(), 'seg', log.buf);
    expect(scanSegment({ path: file }, { segNo: SEG })).toMatchObject({ frames: 1, header: { table: 'other' } });
  });

  it('reports magic and crc header problems without reading frames', () => {
    const log = syncedWrites(SEG, 2);
    expect(scan(Buffer.concat([Buffer.from('NOTWAL'), log.buf.subarray(6)]))).toMatchObject({ headerProblem: 'magic', frames: 0, damage: [] });
    expect(scan(flipBit(log.buf, 25))).toMatchObject({ headerProblem: 'crc', frames: 0, damage: [] });
  });
});

describe('SEAL', () => {
  it('reports the next segment and ends the segment there', () => {
    const log = buildLog(SEG, [write(0, 0), write(1, 0), { seal: SEG + 1 }]);
    const r = scan(log.buf);
    expect(r).toMatchObject({ sealedNext: SEG + 1, frames: 3, end: log.buf.length, damage: [] });
    expect(r.keys).toEqual(['k0', 'k1', `{"seal":${SEG + 1}}`]);
  });

  it('a valid frame after a SEAL is corruption and is not delivered', () => {
    const log = buildLog(SEG, [write(0, 0), { seal: SEG + 1 }, write(1, 0), write(2, 0)]);
    const sealEnd = log.frames[1]![1];
    const r = scan(log.buf, { resync: true });
    expect(r.keys).toEqual(['k0', `{"seal":${SEG + 1}}`]);
    expect(r).toMatchObject({ sealedNext: SEG + 1, end: sealEnd });
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'corruption', offset: sealEnd, length: log.buf.length - sealEnd, framesAfter: 2 })]);
    expect(r.damage[0]!.reason).toMatch(/after the SEAL/);
  });

  it('garbage after a SEAL with no valid frame is a torn tail', () => {
    const log = buildLog(SEG, [write(0, 0), { seal: SEG + 1 }]);
    const r = scan(Buffer.concat([log.buf, Buffer.alloc(40, 0x5a)]));
    expect(r).toMatchObject({ sealedNext: SEG + 1, end: log.buf.length });
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'torn-tail', offset: log.buf.length, length: 40 })]);
  });

  it('in a segment known to be sealed, any damage is corruption', () => {
    const log = syncedWrites(SEG, 4);
    const r = scan(log.buf.subarray(0, log.buf.length - 3), { sealed: true });
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'corruption', offset: log.frames[3]![0] })]);
  });

  it('is found with decode: false (small payloads are still decoded), and onEntry is not called', () => {
    const log = buildLog(SEG, [write(0, 0, 100), { seal: 9 }]);
    const file = writeFile(tmpDir(), 'seg', log.buf);
    let calls = 0;
    const r = scanSegment({ path: file }, { segNo: SEG, decode: false, onEntry: () => calls++ });
    expect(r).toMatchObject({ sealedNext: 9, frames: 2, end: log.buf.length });
    expect(calls).toBe(0);
  });
});

describe('ranges and chunks', () => {
  it('`to` stops at a published end; `from` starts at a frame boundary', () => {
    const log = syncedWrites(SEG, 8);
    const f = log.frames;
    expect(scan(log.buf, { to: f[4]![1] })).toMatchObject({ keys: keysUpTo(5), end: f[4]![1], damage: [] });
    expect(scan(log.buf, { from: f[5]![0] }).keys).toEqual(['k5', 'k6', 'k7']);
    const mid = scan(log.buf, { from: f[2]![0], to: f[4]![0] + 5 });
    expect(mid.keys).toEqual(['k2', 'k3']);
    expect(mid.damage).toEqual([expect.objectContaining({ kind: 'torn-tail', offset: f[4]![0], length: 5 })]);
    expect(() => scan(log.buf, { from: 3 })).toThrow(TypeError);
  });

  it('reads frames larger than the read window (default 1 MiB) and frames across window edges', () => {
    const log = buildLog(SEG, [write(0, 0, 10), write(1, 0, 3 * 1024 * 1024 + 7), write(2, 0, 10), write(3, 0, 1024 * 1024)]);
    const r = scan(log.buf);
    expect(r.keys).toEqual(keysUpTo(4));
    expect(r.end).toBe(log.buf.length);
  });

  it('reads a frame of exactly the largest allowed payload (16 MiB)', () => {
    const probe = buildLog(SEG, [write(1, 0, 0)]);
    const overhead = probe.frames[0]![1] - probe.frames[0]![0] - 12 + 4; // the 'x' string gets a 5-byte str32 header
    const log = buildLog(SEG, [write(0, 0), write(1, 0, 16 * 1024 * 1024 - overhead), write(2, 0)]);
    const [start, end] = log.frames[1]!;
    expect(end - start - 12).toBe(16 * 1024 * 1024);
    expect(scan(log.buf).keys).toEqual(keysUpTo(3));
    expect(scan(log.buf, { maxEntryBytes: 16 * 1024 * 1024 - 1 }).keys).toEqual(['k0']);
  });

  it('a file that shrinks during the scan ends in a torn tail, not an error', () => {
    const log = syncedWrites(SEG, 40);
    const file = writeFile(tmpDir(), 'seg', log.buf);
    const cutAt = log.frames[30]![0] + 7;
    setIO({
      ...realIO,
      // Reads past cutAt find nothing, as if the file had been truncated after fstat.
      readSync: (fd, b, o, l, p) => realIO.readSync(fd, b, o, Math.max(0, Math.min(l, cutAt - p)), p),
    });
    const r = scanSegment({ path: file }, { segNo: SEG, chunkBytes: 200 });
    expect(r.frames).toBe(30);
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'torn-tail', offset: log.frames[30]![0], length: 7 })]);
  });

  it('gives the same result with tiny windows, with and without damage', () => {
    const log = syncedWrites(SEG, 30, 50);
    const damaged = flipBit(log.buf, log.frames[11]![0] + 40);
    for (const chunkBytes of [13, 64, 100, 257, 4096]) {
      expect(scan(log.buf, { chunkBytes }).keys).toEqual(keysUpTo(30));
      const r = scan(damaged, { chunkBytes, resync: true });
      expect(r.keys).toEqual(keysUpTo(30).filter((k) => k !== 'k11'));
      expect(r.damage.map((d) => [d.kind, d.offset, d.length])).toEqual([['corruption', log.frames[11]![0], log.frames[12]![0] - log.frames[11]![0]]]);
    }
  });

  it('honours maxEntryBytes', () => {
    const log = buildLog(SEG, [write(0, 0), write(1, 0, 500)]);
    const r = scan(log.buf, { maxEntryBytes: 200 });
    expect(r.keys).toEqual(['k0']);
    expect(r.damage).toEqual([expect.objectContaining({ kind: 'torn-tail', offset: log.frames[1]![0] })]);
  });
});

describe('I/O', () => {
  it('a read error throws; it is never end of log', () => {
    const log = syncedWrites(SEG, 50); // larger than the first read (the header window)
    const file = writeFile(tmpDir(), 'seg', log.buf);
    let reads = 0;
    setIO({
      ...realIO,
      readSync: (fd, b, o, l, p) => {
        if (++reads > 1) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
        return realIO.readSync(fd, b, o, l, p);
      },
    });
    expect(() => scanSegment({ path: file }, { segNo: SEG, chunkBytes: 100 })).toThrow(/EIO/);
  });

  it('a scan never writes, syncs, truncates or renames, even over damage', () => {
    const log = syncedWrites(SEG, 5);
    const buf = Buffer.concat([flipBit(log.buf, log.frames[2]![0] + 20), Buffer.alloc(100)]);
    const file = writeFile(tmpDir(), 'seg', buf);
    const forbidden = (name: string) => () => {
      throw new Error(`scan called ${name}`);
    };
    const readOnly: FileIO = {
      ...realIO,
      openSync: (p, f, m) => {
        // Read-only, creating nothing ('r', or O_RDONLY with O_NOFOLLOW).
        const readOnlyFlags = typeof f === 'number' ? (f & 3) === fs.constants.O_RDONLY && (f & fs.constants.O_CREAT) === 0 : f === 'r';
        if (!readOnlyFlags) throw new Error(`scan opened ${p} with ${String(f)}`);
        return realIO.openSync(p, f, m);
      },
      writeSync: forbidden('writeSync'),
      ftruncateSync: forbidden('ftruncateSync'),
      fdatasyncSync: forbidden('fdatasyncSync'),
      fsyncSync: forbidden('fsyncSync'),
      renameSync: forbidden('renameSync'),
      unlinkSync: forbidden('unlinkSync'),
      writeFileSync: forbidden('writeFileSync'),
    };
    setIO(readOnly);
    const r = scanSegment({ path: file }, { segNo: SEG, resync: true });
    expect(r.damage).toHaveLength(2);
    expect(fs.readFileSync(file)).toEqual(buf);
  });

  it('scans an fd it is given and leaves it open', () => {
    const log = syncedWrites(SEG, 3);
    const fd = fs.openSync(writeFile(tmpDir(), 'seg', log.buf), 'r');
    try {
      expect(scanSegment({ fd }, { segNo: SEG }).frames).toBe(3);
      expect(scanSegment({ fd }, { segNo: SEG }).frames).toBe(3);
    } finally {
      fs.closeSync(fd);
    }
  });
});
