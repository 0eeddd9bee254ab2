/**
 * Salvage (docs/protocol.md §8): copy each damaged range to quarantine, then overwrite it in place
 * with one PAD frame of exactly its length, so every valid frame keeps its offset (live readers
 * and writers hold offsets) and the segment scans clean afterwards.
 */
import fs from 'node:fs';
import { io, writeFully } from '../io.js';
import { FRAME_HEADER_BYTES } from '../wal/constants.js';
import { encodePadPayload, MIN_PAD_PAYLOAD_BYTES } from '../wal/entry.js';
import { encodeFrames } from '../wal/frame.js';
import { quarantineBytes, type QuarantineRecord } from '../wal/quarantine.js';

/** The smallest frame PAD can be; every frame the writer makes is at least this long. */
export const MIN_PAD_FRAME_BYTES = FRAME_HEADER_BYTES + MIN_PAD_PAYLOAD_BYTES;

export interface Range {
  offset: number;
  length: number;
}

/**
 * The size of the genuine frame at `offset` (the scanner already validated it, so its `len`
 * field is trusted here), or undefined past the end of the file.
 */
function frameSizeAt(fd: number, offset: number, fileSize: number): number | undefined {
  if (offset + FRAME_HEADER_BYTES > fileSize) return undefined;
  const head = Buffer.alloc(4);
  io.readSync(fd, head, 0, 4, offset);
  return FRAME_HEADER_BYTES + head.readUInt32LE(0);
}

/**
 * A damaged range shorter than the smallest PAD frame cannot be covered by one frame of its
 * own length. Every real frame is at least that long, so this only happens when a range ends
 * inside what used to be one frame; the range then swallows the following frame(s) until it is
 * long enough. Those frames are quarantined with it (and reported by the caller as part of the
 * range), so nothing is dropped unrecorded. Returns undefined if the widened range would reach
 * the end of the file (the caller cuts it as a tail instead).
 */
export function widenForPad(fd: number, r: Range, fileSize: number): Range | undefined {
  let length = r.length;
  while (length < MIN_PAD_FRAME_BYTES) {
    const next = frameSizeAt(fd, r.offset + length, fileSize);
    if (next === undefined) return undefined;
    length += next;
  }
  return r.offset + length >= fileSize ? undefined : { offset: r.offset, length };
}

/**
 * Quarantine `[offset, offset+length)` unless an earlier, interrupted salvage already did: its
 * record has the same offset and length, and its bytes are the original damage (the range may
 * now hold half a PAD frame), so they are kept rather than overwritten.
 */
function keepOnce(quarantineDir: string, table: string, segment: number, fd: number, r: Range, reason: string): QuarantineRecord {
  const json = `${quarantineDir}/${table}.${segment}.${r.offset}.json`;
  if (fs.existsSync(json)) {
    try {
      const rec = JSON.parse(fs.readFileSync(json, 'utf8')) as QuarantineRecord;
      if (rec.length === r.length && fs.existsSync(rec.file)) return rec;
    } catch {
      // An unreadable record is rewritten below.
    }
  }
  return quarantineBytes(quarantineDir, table, segment, fd, r.offset, r.offset + r.length, reason);
}

/** Quarantine the range, then write one PAD frame of exactly its length over it. The caller fdatasyncs. */
export function padOver(quarantineDir: string, table: string, segment: number, fd: number, r: Range, reason: string): QuarantineRecord {
  const rec = keepOnce(quarantineDir, table, segment, fd, r, reason);
  const frame = encodeFrames(segment, r.offset, [encodePadPayload(r.length - FRAME_HEADER_BYTES)]);
  writeFully(fd, frame, r.offset);
  return rec;
}
