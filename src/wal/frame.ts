/** The frame codec: `[u32 len][u32 hcrc][u32 pcrc][payload]`, CRCs bound to segment and offset (docs/protocol.md §2). */
import zlib from 'node:zlib';
import { CRC_MASK_DELTA, DEFAULT_MAX_ENTRY_BYTES, FRAME_HEADER_BYTES } from './constants.js';
import { writeU64 } from './u64.js';

export { FRAME_HEADER_BYTES };

/**
 * What `decodeFrame` found at a position.
 * - `ok`: a whole frame whose two CRCs pass; `payload` is a view into the caller's buffer.
 * - `short`: fewer than 12 bytes, or a header whose hcrc passes but whose `len` runs past the
 *   buffer's end; `needed` is then the whole frame's size (a chunked reader reads more and retries).
 * - `zero`: 12 zero bytes (an unwritten page: a power loss or a zero-extended tail).
 * - `bad-header`: hcrc mismatch or `len` out of range; `len` cannot be trusted.
 * - `bad-payload`: the header is genuine (hcrc passes) but the payload's CRC fails.
 */
export type FrameResult =
  | { kind: 'ok'; payload: Buffer; size: number }
  | { kind: 'short'; needed?: number }
  | { kind: 'zero' }
  | { kind: 'bad-header' }
  | { kind: 'bad-payload'; size: number };

/** LevelDB's mask: rotate right by 15 and add a constant, so a CRC over data holding CRCs stays strong. */
export function maskCrc(c: number): number {
  return ((((c >>> 15) | (c << 17)) >>> 0) + CRC_MASK_DELTA) >>> 0;
}

export function unmaskCrc(masked: number): number {
  const rot = (masked - CRC_MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

/** Bytes a frame with a payload of `payloadLen` bytes takes on disk. */
export function frameSize(payloadLen: number): number {
  return FRAME_HEADER_BYTES + payloadLen;
}

// One scratch buffer for the 20 bytes the header CRC covers; everything here is synchronous.
const hcrcScratch = Buffer.alloc(8 + 8 + 4);

/** Masked crc32(segment_no u64 LE ‖ file_offset u64 LE ‖ len u32 LE): a frame is valid only where it was written. */
export function headerCrc(segNo: number, fileOffset: number, len: number): number {
  writeU64(hcrcScratch, segNo, 0);
  writeU64(hcrcScratch, fileOffset, 8);
  hcrcScratch.writeUInt32LE(len >>> 0, 16);
  return maskCrc(zlib.crc32(hcrcScratch));
}

export function payloadCrc(payload: Uint8Array): number {
  return maskCrc(zlib.crc32(payload));
}

/**
 * Encode a batch as one contiguous buffer (written with one write). Frame i starts at
 * `startOffset` plus the sizes of frames 0..i-1, and its hcrc binds that offset.
 * Sizes are the caller's to check against maxEntryBytes (ENTRY_TOO_LARGE) before calling.
 */
export function encodeFrames(segNo: number, startOffset: number, payloads: Uint8Array[]): Buffer {
  let total = 0;
  for (const p of payloads) {
    if (p.length === 0) throw new TypeError('Expected every payload to be non-empty, got a 0-byte payload');
    total += frameSize(p.length);
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of payloads) {
    out.writeUInt32LE(p.length, at);
    out.writeUInt32LE(headerCrc(segNo, startOffset + at, p.length), at + 4);
    out.writeUInt32LE(payloadCrc(p), at + 8);
    out.set(p, at + FRAME_HEADER_BYTES);
    at += frameSize(p.length);
  }
  return out;
}

function isZeroHeader(buf: Buffer, at: number): boolean {
  for (let i = 0; i < FRAME_HEADER_BYTES; i++) if (buf[at + i] !== 0) return false;
  return true;
}

/**
 * Decode the frame at `buf[at]`, which lies at `fileOffset` of segment `segNo`. The end of
 * `buf` is taken as the end of the data available. Never throws on bad bytes: the result
 * says what was found, and the reader decides what that means (torn tail, corruption...).
 */
export function decodeFrame(
  buf: Buffer,
  at: number,
  segNo: number,
  fileOffset: number,
  maxEntryBytes: number = DEFAULT_MAX_ENTRY_BYTES,
): FrameResult {
  if (buf.length - at < FRAME_HEADER_BYTES) return { kind: 'short' };
  if (isZeroHeader(buf, at)) return { kind: 'zero' };
  const len = buf.readUInt32LE(at);
  // len is trusted only once hcrc passes: a flipped bit in len must not make us skip real frames.
  if (len === 0 || len > maxEntryBytes) return { kind: 'bad-header' };
  if (buf.readUInt32LE(at + 4) !== headerCrc(segNo, fileOffset, len)) return { kind: 'bad-header' };
  const size = frameSize(len);
  if (buf.length - at < size) return { kind: 'short', needed: size };
  const payload = buf.subarray(at + FRAME_HEADER_BYTES, at + size);
  if (buf.readUInt32LE(at + 8) !== payloadCrc(payload)) return { kind: 'bad-payload', size };
  return { kind: 'ok', payload, size };
}
