/** Incremental catch-up over one segment: keep the fd and offset, read to `published_end` on each poll. */
import fs from 'node:fs';
import { CorruptLogError, SdnwalError } from '../errors.js';
import { io, openInStore } from '../io.js';
import { DEFAULT_MAX_ENTRY_BYTES, MAX_SEGMENT_HEADER_BYTES, READ_CHUNK_BYTES } from './constants.js';
import type { LogEntry } from './entry.js';
import { ReadWindow } from './read-window.js';
import { type Damage, scanFrames } from './scan.js';
import { type SegmentHeader, decodeSegmentHeader } from './segment.js';

export type CursorEntry = { entry: LogEntry; offset: number; end: number };

export type CursorRead = {
  entries: CursorEntry[];
  /** The cursor's position after this read: just after the last good frame. */
  end: number;
  /** Set once the segment's SEAL was read: continue in segment `sealedNext`. */
  sealedNext?: number;
  /** Damage met before `limit`; the cursor stays at its offset, so the next read reports it again. */
  damage?: Damage;
};

export type CursorOptions = {
  segNo: number;
  expect?: { table: string; tableId?: string };
  maxEntryBytes?: number;
  chunkBytes?: number;
};

/**
 * Opens the segment and checks its header once; an fd stays open (it survives an unlink by
 * compaction). Readers poll the control record and call `readTo(published_end)`, never the
 * file size: bytes past `published_end` may be a batch still being written. Never writes.
 */
export class SegmentCursor {
  readonly header: SegmentHeader;
  private readonly fd: number;
  private readonly window: ReadWindow;
  private pos: number;
  private sealedNext: number | undefined;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly opts: CursorOptions,
  ) {
    this.fd = openInStore(path, fs.constants.O_RDONLY);
    try {
      this.window = new ReadWindow(this.fd, io.fstatSync(this.fd).size, opts.chunkBytes ?? READ_CHUNK_BYTES);
      this.window.ensure(0, MAX_SEGMENT_HEADER_BYTES);
      const h = decodeSegmentHeader(this.window.view());
      // A published segment always has a whole header (it is created by rename), so any problem is damage.
      if (!h.ok) throw new CorruptLogError(path, 0, `segment header: ${h.reason}`);
      const e = opts.expect;
      if (h.header.segment !== opts.segNo || (e && (h.header.table !== e.table || (e.tableId !== undefined && h.header.tableId !== e.tableId)))) {
        throw new SdnwalError('FOREIGN_SEGMENT', `${path} is segment ${h.header.segment} of table ${h.header.table} (${h.header.tableId}), not segment ${opts.segNo}${e ? ` of ${e.table}` : ''}`);
      }
      this.header = h.header;
      this.pos = h.length;
    } catch (err) {
      io.closeSync(this.fd);
      throw err;
    }
  }

  /** The offset the next read starts at. */
  get position(): number {
    return this.pos;
  }

  /** Read the frames in `[position, limit)`; `limit` should be a frame boundary such as `published_end`. */
  readTo(limit: number): CursorRead {
    if (this.closed) throw new SdnwalError('CLOSED', `cursor on ${this.path} is closed`);
    if (this.sealedNext !== undefined || limit <= this.pos) return { entries: [], end: this.pos, sealedNext: this.sealedNext };
    const entries: CursorEntry[] = [];
    this.window.reset(limit);
    const r = scanFrames(this.window, this.pos, {
      segNo: this.opts.segNo,
      maxEntryBytes: this.opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES,
      onEntry: (entry, offset, end) => entries.push({ entry, offset, end }),
    });
    this.pos = r.end;
    this.sealedNext = r.sealedNext;
    return { entries, end: this.pos, sealedNext: this.sealedNext, damage: r.damage[0] };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    io.closeSync(this.fd);
  }
}
