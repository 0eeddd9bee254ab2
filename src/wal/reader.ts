/**
 * The segment reader: checks every frame's CRCs, delivers entries in order, and reports
 * damage (offset, bytes, reason, classification) instead of throwing; the caller (recovery,
 * a reader, salvage) decides the policy (docs/protocol.md §8). It never writes.
 */
import fs from 'node:fs';
import { io, openInStore } from '../io.js';
import { MAX_SEGMENT_HEADER_BYTES, READ_CHUNK_BYTES } from './constants.js';
import { ReadWindow } from './read-window.js';
import { type Damage, type ScanOptions, type ScanResult, scanFrames } from './scan.js';
import { decodeSegmentHeader } from './segment.js';

export type { Damage, DamageKind, FramesResult, ScanOptions, ScanResult } from './scan.js';

/** Scan one segment file (see ScanOptions). Throws only on I/O errors and misuse. */
export function scanSegment(source: { fd: number } | { path: string }, opts: ScanOptions): ScanResult {
  const fd = 'fd' in source ? source.fd : openInStore(source.path, fs.constants.O_RDONLY);
  try {
    const size = io.fstatSync(fd).size;
    const w = new ReadWindow(fd, size, opts.chunkBytes ?? READ_CHUNK_BYTES);
    w.ensure(0, MAX_SEGMENT_HEADER_BYTES);
    const h = decodeSegmentHeader(w.view());
    if (!h.ok) {
      // A header cut short at end of file is a torn tail (a crash while the file was new).
      const damage: Damage[] = h.reason === 'short' ? [{ kind: opts.sealed ? 'corruption' : 'torn-tail', offset: 0, length: size, reason: 'segment header cut short at end of file', framesAfter: 0 }] : [];
      return { headerLength: 0, headerProblem: h.reason, end: 0, lastEnd: 0, size, frames: 0, damage };
    }
    const header = h.header;
    const foreign =
      header.segment !== opts.segNo ||
      (opts.expect !== undefined && (header.table !== opts.expect.table || (opts.expect.tableId !== undefined && header.tableId !== opts.expect.tableId)));
    if (foreign) return { header, headerLength: h.length, headerProblem: 'foreign', end: h.length, lastEnd: h.length, size, frames: 0, damage: [] };
    const from = opts.from ?? h.length;
    if (!Number.isSafeInteger(from) || from < h.length) throw new TypeError(`Expected \`from\` to be an offset >= the header length ${h.length}, got \`${from}\` (${typeof from})`);
    w.setLimit(Math.min(opts.to ?? size, size));
    return { header, headerLength: h.length, size, ...scanFrames(w, from, opts) };
  } finally {
    if (!('fd' in source)) io.closeSync(fd);
  }
}

