/** The table id a log's segments name: the one reader of it for the store, the compactor and recovery. */
import fs from 'node:fs';
import { io, openInStore } from '../io.js';
import type { TablePaths } from './paths.js';
import { decodeSegmentHeader, readWalDir } from './segment.js';
import { segmentPath } from './tail.js';

/** Enough bytes for any segment header (table names are at most 64 bytes). */
const HEADER_PROBE_BYTES = 256;

/**
 * The table id in the header of the lowest segment whose header reads, or undefined (no log, or
 * no readable header). A segment deleted meanwhile by a compactor is skipped; other errors are thrown.
 */
export function tableIdFromLog(paths: TablePaths): string | undefined {
  for (const s of readWalDir(paths.wal).segments) {
    let fd: number;
    try {
      fd = openInStore(segmentPath(paths, s), fs.constants.O_RDONLY);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    try {
      const buf = Buffer.alloc(HEADER_PROBE_BYTES);
      const h = decodeSegmentHeader(buf.subarray(0, io.readSync(fd, buf, 0, buf.length, 0)));
      if (h.ok) return h.header.tableId;
    } finally {
      io.closeSync(fd);
    }
  }
  return undefined;
}
