/** Streaming a snapshot to an open file in chunks of ~64 KiB: the text of a big table is never built whole. */
import zlib from 'node:zlib';
import { io, writeFully } from '../io.js';
import { WRITE_CHUNK_BYTES } from './constants.js';
import { formatExtra, formatMeta, formatMetaCrc, formatRow, formatRowsCrc, formatRowsHeader } from './format.js';
import type { ExtraSection, SnapshotMeta } from './meta.js';

/** Rows the caller formats itself (a compaction's fold): `emit` hands runs of whole row lines to `out`, which consumes each at once. */
export interface RowLines {
  emit(columns: readonly string[], out: (lines: Buffer, rows: number) => void): void;
}

export function isRowLines(rows: unknown): rows is RowLines {
  return typeof (rows as Partial<RowLines>).emit === 'function';
}

export interface Written {
  rowCount: number;
  /** crc32 of the row lines, as written in the `# rows-crc:` line. */
  rowsCrc: string;
  bytes: number;
  /** crc32 of every byte written, and where the row lines start and end: what verification re-reads against. */
  fileCrc: number;
  rowsStart: number;
  rowsEnd: number;
}

/**
 * Write the snapshot text at offset 0 of `fd`: meta, the extras that come before the rows, the rows
 * table with header `columns`, the extras after it, the rows-crc line. The number of rows must be
 * `meta.rowCount` (the meta is written first). Throws on a short write (ENOSPC) like writeFully.
 */
export function writeSnapshotText(
  fd: number,
  meta: SnapshotMeta,
  columns: readonly string[],
  rows: Iterable<Record<string, unknown>> | RowLines,
  extra: readonly ExtraSection[],
  onRows?: (done: number) => void,
): Written {
  let pos = 0;
  let fileCrc = 0;
  const writeBytes = (buf: Buffer): void => {
    writeFully(fd, buf, pos);
    pos += buf.length;
    fileCrc = zlib.crc32(buf, fileCrc);
  };
  const flush = (text: string): Buffer => {
    const buf = Buffer.from(text, 'utf8');
    writeBytes(buf);
    return buf;
  };
  let head = formatMeta(meta);
  for (const x of extra) if (x.before) head += formatExtra(x);
  flush(head + formatRowsHeader(meta.section, columns));
  const rowsStart = pos;

  let crc = 0;
  let n = 0;
  if (isRowLines(rows)) {
    rows.emit(columns, (lines, k) => {
      writeBytes(lines);
      crc = zlib.crc32(lines, crc);
      n += k;
      onRows?.(n);
    });
  } else {
    let chunk = '';
    for (const row of rows) {
      chunk += formatRow(row, columns);
      n++;
      if (chunk.length >= WRITE_CHUNK_BYTES) {
        crc = zlib.crc32(flush(chunk), crc);
        chunk = '';
        onRows?.(n);
      }
    }
    if (chunk !== '') crc = zlib.crc32(flush(chunk), crc);
  }
  if (n !== meta.rowCount) throw new TypeError(`Expected ${meta.rowCount} rows (meta.rowCount), got ${n}`);
  onRows?.(n);
  const rowsEnd = pos;

  let tail = '';
  for (const x of extra) if (!x.before) tail += formatExtra(x);
  const rowsCrc = formatRowsCrc(crc);
  flush(tail + formatMetaCrc(meta) + rowsCrc);
  io.ftruncateSync(fd, pos);
  return { rowCount: n, rowsCrc: rowsCrc.slice(-9, -1), bytes: pos, fileCrc: fileCrc >>> 0, rowsStart, rowsEnd };
}
