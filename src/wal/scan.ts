/** Walking a segment's frames: deliver entries in order, resync after damage, classify it (docs/protocol.md §8). */
import { DEFAULT_MAX_ENTRY_BYTES, FRAME_HEADER_BYTES } from './constants.js';
import { EntryDecodeError, type LogEntry, decodeEntry, isSeal, isWrite } from './entry.js';
import { type FrameResult, decodeFrame, headerCrc } from './frame.js';
import type { ReadWindow } from './read-window.js';
import type { SegmentHeader } from './segment.js';

/**
 * - `torn-tail`: no valid frame anywhere after it (a write cut short, zeros or garbage to the end).
 * - `unsynced-hole`: valid frames follow, but none says `synced` beyond it: a power loss kept
 *   later pages and lost this one; nothing in or after it was acknowledged as durable.
 * - `corruption`: valid frames follow and one of them has `synced` beyond it (it had been
 *   durable), or a valid frame follows a SEAL, or a CRC-valid payload is not an entry.
 */
export type DamageKind = 'torn-tail' | 'corruption' | 'unsynced-hole';

export type Damage = {
  kind: DamageKind;
  /** File offset where the damage starts (a frame boundary). */
  offset: number;
  /** Bytes from `offset` to the next valid frame, or to the end of the scanned range for a torn tail. */
  length: number;
  reason: string;
  /** Valid frames after the damaged range (for an unsynced hole: the complete frames a cut would remove). */
  framesAfter?: number;
};

export type ScanOptions = {
  /** The segment number the file should be; frames are checked against it (hcrc). */
  segNo: number;
  /** The table the header must name; a mismatch (or another segment number) is `headerProblem: 'foreign'`. */
  expect?: { table: string; tableId?: string };
  /** A frame boundary to start at. @default just after the header */
  from?: number;
  /** Stop here (e.g. the control record's `published_end`). @default the file size */
  to?: number;
  /** @default DEFAULT_MAX_ENTRY_BYTES (16 MiB) */
  maxEntryBytes?: number;
  /**
   * Salvage: after damage, keep scanning for the next genuine frame and report every damaged
   * range. The hcrc binds segment and offset, so a byte-by-byte search finds only frames
   * written at that very place, never one embedded in a payload. @default false
   */
  resync?: boolean;
  /** Called for each delivered entry, in order, with the frame's start and end offsets. Not called when `decode` is false. */
  onEntry?: (entry: LogEntry, offset: number, end: number) => void;
  /**
   * Offered each payload that would go to onEntry, before it is decoded (the compactor reads
   * plain inserts itself). Return true only for a valid write entry it has consumed: that frame
   * is then neither decoded nor given to onEntry. The payload is a view: copy what you keep.
   */
  onPayload?: (payload: Buffer, offset: number, end: number) => boolean;
  /**
   * Decode payloads. With false only CRCs are checked, except that small payloads are still
   * decoded (to find a SEAL) and, after damage, every payload (to read `synced`). @default true
   */
  decode?: boolean;
  /** The caller knows this segment is final (a higher one exists): any damage is corruption. @default false */
  sealed?: boolean;
  /** Read window size; tests make it small to put frames across window edges. @default READ_CHUNK_BYTES (1 MiB) */
  chunkBytes?: number;
};

export type ScanResult = {
  header?: SegmentHeader;
  headerLength: number;
  headerProblem?: 'short' | 'magic' | 'version' | 'crc' | 'foreign';
  /** Offset just after the last good frame before any damage: where a writer may append. */
  end: number;
  /** With `resync`, the end of the last good frame anywhere (after damage too). */
  lastEnd: number;
  /** File size when the scan started. */
  size: number;
  /** Frames delivered (good frames before the first damage; with `resync`, all good frames before any SEAL's end). */
  frames: number;
  sealedNext?: number;
  damage: Damage[];
};

/** A SEAL payload is ~15 bytes; payloads up to this size are decoded even with `decode: false`. */
const CONTROL_PAYLOAD_MAX_BYTES = 32;

type Tracked = {
  offset: number;
  length: number;
  what: string;
  fixed?: DamageKind;
  afterSeal?: boolean;
  later: number;
  maxSynced: number;
};

export type FramesResult = Pick<ScanResult, 'end' | 'lastEnd' | 'frames' | 'sealedNext' | 'damage'>;

/** The frame at `p`; a window that ends inside a genuine frame fitting before the limit is widened to read it whole. */
function readFrameAt(w: ReadWindow, p: number, segNo: number, max: number): FrameResult {
  w.ensure(p, FRAME_HEADER_BYTES);
  let r = decodeFrame(w.view(), p - w.start, segNo, p, max);
  if (r.kind === 'short' && r.needed !== undefined && p + r.needed <= w.limit) {
    w.ensure(p, r.needed);
    r = decodeFrame(w.view(), p - w.start, segNo, p, max);
  }
  return r;
}

/**
 * The next genuine frame at or after `p` (resync after damage). Cheap tests (len range, fits
 * before the limit) come before the hcrc, so zeros and most garbage cost one u32 read per byte.
 */
function findNextFrame(w: ReadWindow, p: number, segNo: number, max: number): number | undefined {
  const maxHighByte = max >>> 24;
  let buf = w.view();
  let base = w.start;
  for (; p + FRAME_HEADER_BYTES <= w.limit; p++) {
    if (p < base || p + FRAME_HEADER_BYTES > base + buf.length) {
      w.ensure(p, FRAME_HEADER_BYTES);
      buf = w.view();
      base = w.start;
      if (p + FRAME_HEADER_BYTES > base + buf.length) break; // the file ended early
    }
    const at = p - base;
    // Hot loop (one pass per byte of damage): plain byte reads, the high byte first, since
    // len <= max bounds it; Buffer#readUInt32LE is several times slower here.
    if (buf[at + 3]! > maxHighByte) continue;
    const len = (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
    if (len === 0 || len > max || p + FRAME_HEADER_BYTES + len > w.limit) continue;
    if (buf.readUInt32LE(at + 4) !== headerCrc(segNo, p, len)) continue;
    if (readFrameAt(w, p, segNo, max).kind === 'ok') return p;
    // readFrameAt may have moved the window.
    buf = w.view();
    base = w.start;
  }
  return undefined;
}

/** Walk the frames in `[from, w.limit)`: deliver, resync, classify (docs/protocol.md §8). */
export function scanFrames(w: ReadWindow, from: number, opts: ScanOptions): FramesResult {
  const max = opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const segNo = opts.segNo;
  const tracked: Tracked[] = [];
  let delivering = true; // false once past the first damage without resync, or past a SEAL
  let pos = from;
  let end = from;
  let lastEnd = from;
  let frames = 0;
  let sealedNext: number | undefined;

  const frameAt = (p: number): FrameResult => readFrameAt(w, p, segNo, max);

  while (pos < w.limit) {
    const r = frameAt(pos);
    if (r.kind !== 'ok') {
      const next = findNextFrame(w, pos + 1, segNo, max);
      const stop = next ?? w.limit;
      if (delivering) tracked.push({ offset: pos, length: stop - pos, what: describe(r, pos, w.limit), later: 0, maxSynced: -1 });
      if (!opts.resync) delivering = false;
      if (next === undefined) break;
      pos = next;
      continue;
    }
    const frameEnd = pos + r.size;
    if (delivering && tracked.length === 0 && opts.decode !== false && opts.onPayload?.(r.payload, pos, frameEnd)) {
      frames++;
      lastEnd = end = pos = frameEnd;
      continue;
    }
    let entry: LogEntry | undefined;
    if (opts.decode !== false || tracked.length > 0 || r.payload.length <= CONTROL_PAYLOAD_MAX_BYTES) {
      try {
        entry = decodeEntry(r.payload);
      } catch (err) {
        if (!(err instanceof EntryDecodeError)) throw err;
        // CRC-valid but not an entry: written that way, so never a torn write.
        if (delivering) tracked.push({ offset: pos, length: r.size, what: `frame at ${pos}: ${err.reason}`, fixed: 'corruption', later: 0, maxSynced: -1 });
        if (!opts.resync) delivering = false;
        pos = frameEnd;
        continue;
      }
    }
    for (const d of tracked) {
      d.later++;
      if (entry && isWrite(entry)) d.maxSynced = Math.max(d.maxSynced, entry.synced);
    }
    if (delivering) {
      frames++;
      lastEnd = frameEnd;
      if (tracked.length === 0) end = frameEnd;
      if (entry && opts.decode !== false) opts.onEntry?.(entry, pos, frameEnd);
      if (entry && isSeal(entry)) {
        sealedNext = entry.seal;
        // A sealed segment is final: whatever follows is reported; frames there are never delivered.
        if (frameEnd < w.limit) tracked.push({ offset: frameEnd, length: w.limit - frameEnd, what: `bytes after the SEAL ending at ${frameEnd}`, afterSeal: true, later: 0, maxSynced: -1 });
        delivering = false;
      }
    }
    pos = frameEnd;
  }

  return { end, lastEnd, frames, sealedNext, damage: tracked.map((d) => toDamage(d, opts.sealed)) };
}

function toDamage(d: Tracked, sealed: boolean | undefined): Damage {
  const kind = sealed ? 'corruption' : classify(d);
  return { kind, offset: d.offset, length: d.length, reason: `${d.what}; ${explain(d, kind, sealed)}`, framesAfter: d.later };
}

function classify(d: Tracked): DamageKind {
  if (d.fixed) return d.fixed;
  if (d.later === 0) return 'torn-tail';
  if (d.afterSeal) return 'corruption';
  return d.maxSynced > d.offset ? 'corruption' : 'unsynced-hole';
}

function explain(d: Tracked, kind: DamageKind, sealed: boolean | undefined): string {
  if (sealed) return 'the segment is sealed, so it was durable';
  if (d.fixed) return 'the frame was written this way';
  if (kind === 'torn-tail') return 'no valid frame follows (torn tail)';
  if (d.afterSeal) return `${d.later} valid frame(s) after the SEAL; a sealed segment is final`;
  if (kind === 'corruption') return `a later frame has synced=${d.maxSynced} beyond it, so it had been durable`;
  return `${d.later} later frame(s), none synced beyond it (a power-loss hole)`;
}

function describe(r: FrameResult, pos: number, limit: number): string {
  switch (r.kind) {
    case 'short':
      return r.needed !== undefined
        ? `frame at ${pos} needs ${r.needed} bytes, ${limit - pos} remain`
        : `${limit - pos} byte(s) at ${pos}, fewer than a frame header`;
    case 'zero':
      return `zero bytes at ${pos}`;
    case 'bad-header':
      return `bad frame header at ${pos} (checksum or length)`;
    case 'bad-payload':
      return `payload checksum mismatch in the frame at ${pos}`;
    case 'ok':
      return `frame at ${pos}`;
  }
}
