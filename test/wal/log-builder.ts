/** Byte helpers for reader tests (after LevelDB's log_test.cc): build a segment, then damage it. */
import fs from 'node:fs';
import path from 'node:path';
import { type LogEntry, type PendingWrite, encodeEntry } from '../../src/wal/entry.js';
import { encodeFrames } from '../../src/wal/frame.js';
import { type SegmentHeader, encodeSegmentHeader } from '../../src/wal/segment.js';

export const TABLE = 'todos';
export const TABLE_ID = 'aabbccddeeff00112233445566778899';

export function segHeader(segment: number, over: Partial<SegmentHeader> = {}): SegmentHeader {
  return { formatVersion: 1, table: TABLE, tableId: TABLE_ID, segment, ...over };
}

export function write(i: number, synced = 0, size = 0): PendingWrite {
  return { operation: 'insert', rows: [{ key: `k${i}`, values: { i, pad: 'x'.repeat(size) } }], timestamp: 1000 + i, synced };
}

export type Built = {
  buf: Buffer;
  headerLength: number;
  /** [start, end) of each frame. */
  frames: [number, number][];
};

/** An entry, or one made from the offset its frame will start at (to set `synced`). */
export type EntrySpec = LogEntry | ((start: number) => LogEntry);

/** A segment image: header, then one frame per entry. */
export function buildLog(segNo: number, entries: EntrySpec[], header: SegmentHeader = segHeader(segNo)): Built {
  const parts = [encodeSegmentHeader(header)];
  const headerLength = parts[0]!.length;
  const frames: [number, number][] = [];
  let at = headerLength;
  for (const e of entries) {
    const f = encodeFrames(segNo, at, [encodeEntry(typeof e === 'function' ? e(at) : e)]);
    frames.push([at, at + f.length]);
    parts.push(f);
    at += f.length;
  }
  return { buf: Buffer.concat(parts), headerLength, frames };
}

/** Writes whose `synced` says everything before their own start was durable (a synced writer). */
export function syncedWrites(segNo: number, n: number, size = 0): Built {
  return buildLog(segNo, Array.from({ length: n }, (_, i) => (start: number) => write(i, start, size)));
}

export function writeFile(dir: string, name: string, buf: Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, buf);
  return p;
}

export function flipBit(buf: Buffer, at: number, bit = 0): Buffer {
  const b = Buffer.from(buf);
  b[at]! ^= 1 << bit;
  return b;
}
