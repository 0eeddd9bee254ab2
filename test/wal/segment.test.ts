/** Segment headers, segment file names, durable segment creation, wal directory listing. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FileIO, io, realIO, setIO } from '../../src/io.js';
import { parseSegmentFileName, segmentFileName } from '../../src/wal/constants.js';
import { SegmentExistsError, createSegmentFile, decodeSegmentHeader, encodeSegmentHeader, newTableId, readWalDir, type SegmentHeader } from '../../src/wal/segment.js';
import { tmpDir } from '../helpers/tmp.js';

const header = (over: Partial<SegmentHeader> = {}): SegmentHeader => ({
  formatVersion: 1,
  table: 'todos',
  tableId: '0123456789abcdef0123456789abcdef',
  segment: 7,
  ...over,
});

afterEach(() => setIO(realIO));

describe('segment file names', () => {
  it('zero-pads to 20 digits and parses only exact names', () => {
    expect(segmentFileName(7)).toBe('00000000000000000007.seg');
    expect(segmentFileName(Number.MAX_SAFE_INTEGER)).toBe('00009007199254740991.seg');
    expect(parseSegmentFileName('00000000000000000007.seg')).toBe(7);
    for (const bad of ['7.seg', '0000000000000000007.seg', '000000000000000000007.seg', '00000000000000000007.seg.tmp', '0000000000000000000a.seg', '00000000000000000007.SEG', ' 00000000000000000007.seg']) {
      expect(parseSegmentFileName(bad)).toBeUndefined();
    }
    expect(() => segmentFileName(-1)).toThrow(TypeError);
    expect(() => segmentFileName(1.5)).toThrow(TypeError);
  });
});

describe('segment header', () => {
  it('round-trips and reports its length', () => {
    const h = header({ segment: 2 ** 40 + 3, table: 'a_b-C9' });
    const buf = encodeSegmentHeader(h);
    expect(buf.subarray(0, 6).toString('latin1')).toBe('SDNWAL');
    expect(decodeSegmentHeader(Buffer.concat([buf, Buffer.alloc(30, 0xee)]))).toEqual({ ok: true, header: h, length: buf.length });
    expect(buf.length).toBe(6 + 2 + 4 + 8 + 16 + 2 + 6 + 4);
    expect(buf.readUInt32LE(8)).toBe(buf.length);
  });

  it('newTableId gives 32 random hex characters that a header accepts', () => {
    const a = newTableId();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(newTableId()).not.toBe(a);
    expect(decodeSegmentHeader(encodeSegmentHeader(header({ tableId: a })))).toMatchObject({ ok: true, header: { tableId: a } });
  });

  it('reports short for every prefix of a header (a header cut at end of file)', () => {
    const buf = encodeSegmentHeader(header());
    for (let n = 0; n < buf.length; n++) expect(decodeSegmentHeader(buf.subarray(0, n))).toEqual({ ok: false, reason: 'short' });
  });

  it('reports magic for a file that is not a segment, even a short one', () => {
    expect(decodeSegmentHeader(Buffer.from('{"hello": 1}'))).toEqual({ ok: false, reason: 'magic' });
    expect(decodeSegmentHeader(Buffer.from('SDX'))).toEqual({ ok: false, reason: 'magic' });
  });

  it('reports crc for any flipped bit after the magic', () => {
    const buf = encodeSegmentHeader(header());
    for (let i = 6; i < buf.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const b = Buffer.from(buf);
        b[i]! ^= 1 << bit;
        const r = decodeSegmentHeader(b);
        // A flip in the length field can also make the header look cut short.
        if (i >= 8 && i < 12) expect(r.ok === false && (r.reason === 'crc' || r.reason === 'short')).toBe(true);
        else expect(r).toEqual({ ok: false, reason: 'crc' });
      }
    }
  });

  it('reports version for a CRC-valid header of another format version', () => {
    expect(decodeSegmentHeader(encodeSegmentHeader(header({ formatVersion: 2 })))).toEqual({ ok: false, reason: 'version' });
  });

  it('refuses to encode a malformed table id', () => {
    expect(() => encodeSegmentHeader(header({ tableId: 'xyz' }))).toThrow(TypeError);
  });
});

describe('createSegmentFile', () => {
  it('writes tmp, fdatasyncs, renames, fsyncs the directory, in that order', () => {
    const dir = tmpDir();
    const calls: string[] = [];
    const spy: FileIO = {
      ...realIO,
      openSync: (p, f, m) => (calls.push(`open ${path.basename(p)}`), realIO.openSync(p, f, m)),
      writeSync: (fd, b, o, l, p) => (calls.push('write'), realIO.writeSync(fd, b, o, l, p)),
      fdatasyncSync: (fd) => (calls.push('fdatasync'), realIO.fdatasyncSync(fd)),
      fsyncSync: (fd) => (calls.push('fsync'), realIO.fsyncSync(fd)),
      renameSync: (a, b) => (calls.push(`rename ${path.basename(a)} ${path.basename(b)}`), realIO.renameSync(a, b)),
    };
    setIO(spy);
    const file = createSegmentFile(dir, header());
    expect(io).toBe(spy);
    expect(file).toBe(path.join(dir, '00000000000000000007.seg'));
    expect(calls).toEqual([
      'open 00000000000000000007.seg.tmp',
      'write',
      'fdatasync',
      'rename 00000000000000000007.seg.tmp 00000000000000000007.seg',
      `open ${path.basename(dir)}`,
      'fsync',
    ]);
    expect(decodeSegmentHeader(fs.readFileSync(file))).toMatchObject({ ok: true, header: header() });
    expect(fs.readdirSync(dir)).toEqual(['00000000000000000007.seg']);
  });

  it('refuses to overwrite an existing segment', () => {
    const dir = tmpDir();
    const file = createSegmentFile(dir, header());
    fs.appendFileSync(file, 'frames');
    const before = fs.readFileSync(file);
    expect(() => createSegmentFile(dir, header())).toThrow(SegmentExistsError);
    try {
      createSegmentFile(dir, header());
    } catch (err) {
      expect((err as SegmentExistsError).code).toBe('SEGMENT_EXISTS');
    }
    expect(fs.readFileSync(file)).toEqual(before);
  });

  it('replaces a stale tmp left by a crashed attempt', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, '00000000000000000007.seg.tmp'), 'stale garbage that is longer than a header, surely longer');
    const file = createSegmentFile(dir, header());
    expect(decodeSegmentHeader(fs.readFileSync(file))).toMatchObject({ ok: true, length: fs.statSync(file).size });
  });
});

describe('readWalDir', () => {
  it('sorts segments numerically and separates temps and foreign files', () => {
    const dir = tmpDir();
    for (const n of [10, 2, 9]) fs.writeFileSync(path.join(dir, segmentFileName(n)), '');
    fs.writeFileSync(path.join(dir, `${segmentFileName(11)}.tmp`), '');
    fs.writeFileSync(path.join(dir, '5.seg'), '');
    fs.writeFileSync(path.join(dir, 'notes.txt'), '');
    expect(readWalDir(dir)).toEqual({
      segments: [2, 9, 10],
      temps: ['00000000000000000011.seg.tmp'],
      foreign: ['5.seg', 'notes.txt'],
    });
  });

  it('treats a missing directory as an empty log', () => {
    expect(readWalDir(path.join(tmpDir(), 'nope'))).toEqual({ segments: [], temps: [], foreign: [] });
  });
});
