/** The frame codec: round trips, every single-bit flip detected, each result kind. */
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES } from '../../src/wal/constants.js';
import { decodeFrame, encodeFrames, frameSize, headerCrc, maskCrc, unmaskCrc } from '../../src/wal/frame.js';

const payloadArb = fc.uint8Array({ minLength: 1, maxLength: 300 });
const offsetArb = fc.integer({ min: 0, max: 2 ** 40 });
const segArb = fc.integer({ min: 0, max: 2 ** 40 });

/** Decode every frame of an encoded batch in order, as a reader would. */
function decodeAll(buf: Buffer, segNo: number, start: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    const r = decodeFrame(buf, at, segNo, start + at);
    if (r.kind !== 'ok') throw new Error(`frame at ${at}: ${r.kind}`);
    out.push(Buffer.from(r.payload));
    at += r.size;
  }
  return out;
}

describe('maskCrc', () => {
  it('unmaskCrc inverts maskCrc for any u32', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (c) => unmaskCrc(maskCrc(c)) === c));
  });

  it('matches LevelDB: rotate right 15, add 0xa282ead8', () => {
    // crc32("") = 0 → 0 rotated is 0, plus the delta.
    expect(maskCrc(0)).toBe(0xa282ead8);
    // 1 rotated right by 15 is 1 << 17.
    expect(maskCrc(1)).toBe(((1 << 17) + 0xa282ead8) >>> 0);
    expect(maskCrc(zlib.crc32('abc'))).not.toBe(zlib.crc32('abc'));
  });
});

describe('encodeFrames / decodeFrame', () => {
  it('round-trips arbitrary payload arrays at arbitrary segment numbers and offsets', () => {
    fc.assert(
      fc.property(fc.array(payloadArb, { minLength: 1, maxLength: 8 }), segArb, offsetArb, (payloads, segNo, start) => {
        const buf = encodeFrames(segNo, start, payloads);
        expect(buf.length).toBe(payloads.reduce((n, p) => n + frameSize(p.length), 0));
        expect(decodeAll(buf, segNo, start)).toEqual(payloads.map((p) => Buffer.from(p)));
      }),
    );
  });

  it('lays frames out as [u32 len][u32 hcrc][u32 pcrc][payload], little-endian', () => {
    const payload = Buffer.from('hello');
    const buf = encodeFrames(3, 100, [payload]);
    expect(buf.readUInt32LE(0)).toBe(5);
    expect(buf.readUInt32LE(4)).toBe(headerCrc(3, 100, 5));
    expect(buf.readUInt32LE(8)).toBe(maskCrc(zlib.crc32(payload)));
    expect(buf.subarray(FRAME_HEADER_BYTES).toString()).toBe('hello');
    // hcrc covers segment u64 LE ‖ offset u64 LE ‖ len u32 LE.
    const covered = Buffer.alloc(20);
    covered.writeBigUInt64LE(3n, 0);
    covered.writeBigUInt64LE(100n, 8);
    covered.writeUInt32LE(5, 16);
    expect(headerCrc(3, 100, 5)).toBe(maskCrc(zlib.crc32(covered)));
  });

  it('detects any single bit flip anywhere in a frame', () => {
    fc.assert(
      fc.property(payloadArb, segArb, offsetArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (payload, segNo, off, pos, bit) => {
        const buf = encodeFrames(segNo, off, [payload]);
        const i = pos % buf.length;
        buf[i]! ^= 1 << bit;
        const r = decodeFrame(buf, 0, segNo, off);
        // A flip in len or hcrc fails the header check; one in pcrc or the payload leaves the header genuine.
        expect(r.kind).toBe(i < 8 ? 'bad-header' : 'bad-payload');
      }),
    );
  });

  it('binds a frame to its segment number and file offset', () => {
    const buf = encodeFrames(5, 64, [Buffer.from('x')]);
    expect(decodeFrame(buf, 0, 5, 64).kind).toBe('ok');
    expect(decodeFrame(buf, 0, 6, 64).kind).toBe('bad-header');
    expect(decodeFrame(buf, 0, 5, 65).kind).toBe('bad-header');
  });

  it('places frame i at startOffset plus the sizes before it', () => {
    const payloads = [Buffer.alloc(10, 1), Buffer.alloc(3, 2), Buffer.alloc(7, 3)];
    const buf = encodeFrames(1, 1000, payloads);
    const second = frameSize(10);
    const r = decodeFrame(buf, second, 1, 1000 + second);
    expect(r).toMatchObject({ kind: 'ok', size: frameSize(3) });
    expect(decodeFrame(buf, second, 1, 1000).kind).toBe('bad-header');
  });

  it('refuses an empty payload (len 0 is never a frame)', () => {
    expect(() => encodeFrames(1, 0, [new Uint8Array(0)])).toThrow(TypeError);
  });

  it('reports short for fewer than 12 bytes', () => {
    const buf = encodeFrames(1, 0, [Buffer.from('abc')]);
    for (let n = 0; n < FRAME_HEADER_BYTES; n++) expect(decodeFrame(buf.subarray(0, n), 0, 1, 0)).toEqual({ kind: 'short' });
  });

  it('reports short with the size needed when a genuine len runs past the end', () => {
    const buf = encodeFrames(1, 0, [Buffer.alloc(50, 7)]);
    for (let n = FRAME_HEADER_BYTES; n < buf.length; n++) {
      expect(decodeFrame(buf.subarray(0, n), 0, 1, 0)).toEqual({ kind: 'short', needed: frameSize(50) });
    }
  });

  it('reports zero for 12 zero bytes, bad-header for other garbage', () => {
    expect(decodeFrame(Buffer.alloc(40), 0, 1, 0)).toEqual({ kind: 'zero' });
    expect(decodeFrame(Buffer.alloc(40, 0xff), 0, 1, 0)).toEqual({ kind: 'bad-header' });
  });

  it('rejects len above maxEntryBytes even with a matching hcrc', () => {
    const buf = encodeFrames(1, 0, [Buffer.alloc(100)]);
    expect(decodeFrame(buf, 0, 1, 0, 100).kind).toBe('ok');
    expect(decodeFrame(buf, 0, 1, 0, 99).kind).toBe('bad-header');
  });

  it('reports bad-payload with the frame size when only the payload is damaged', () => {
    const buf = encodeFrames(2, 40, [Buffer.alloc(20, 9)]);
    buf[FRAME_HEADER_BYTES + 5]! ^= 0x10;
    expect(decodeFrame(buf, 0, 2, 40)).toEqual({ kind: 'bad-payload', size: frameSize(20) });
  });

  it('returns the payload as a view, not a copy', () => {
    const buf = encodeFrames(1, 0, [Buffer.from('view')]);
    const r = decodeFrame(buf, 0, 1, 0);
    if (r.kind !== 'ok') throw new Error(r.kind);
    expect(r.payload.buffer).toBe(buf.buffer);
  });
});
