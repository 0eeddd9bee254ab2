/**
 * Verifying a snapshot just written, before it may replace the current one (docs/protocol.md §6 step 4):
 * the file re-reads, byte for byte, as what the writer meant. Its meta block is parsed again and
 * compared; every byte is streamed back with a large buffer and must hash (crc32) and measure as
 * written; the row lines must be `rowCount` lines hashing to the rows-crc, and the rows-crc line
 * must end the file. Proving the bytes is enough, and much cheaper than parsing every row again:
 * those bytes are the SDN writer's own output, whose round trip the format tests hold to.
 */
import zlib from 'node:zlib';
import { io } from '../io.js';
import { CorruptSnapshotError } from './corrupt.js';
import { metaCrc } from './format.js';
import { readHead, readTailCrcs, type SnapshotMeta } from './meta.js';
import type { Written } from './writer.js';

/** Read back in chunks this large: few syscalls, bounded memory. */
export const VERIFY_CHUNK_BYTES = 8 * 1024 * 1024;

/** Throw CorruptSnapshotError unless the file at `fd` is exactly what `writeSnapshotText` reported writing. */
export function verifyWritten(fd: number, file: string, meta: SnapshotMeta, written: Written): void {
  const head = readHead(fd, file);
  if (!head) throw new CorruptSnapshotError(file, 1, 'the new snapshot has no meta block');
  const m = head.meta;
  const same =
    m.table === meta.table && m.tableId === meta.tableId && m.key === meta.key && m.absorbedSegment === meta.absorbedSegment &&
    m.rowCount === meta.rowCount && m.section === meta.section && m.columns.join('\u0000') === meta.columns.join('\u0000');
  if (!same) throw new CorruptSnapshotError(file, 1, 'the new snapshot re-reads with another meta than was written');

  const size = io.fstatSync(fd).size;
  if (size !== written.bytes) throw new CorruptSnapshotError(file, undefined, `re-reads as ${size} bytes, written ${written.bytes}`);
  const { fileCrc, rowsCrc, lines } = rehash(fd, file, size, written.rowsStart, written.rowsEnd);
  if (fileCrc !== written.fileCrc) throw new CorruptSnapshotError(file, undefined, 'the bytes re-read differ from the bytes written (file crc mismatch)');
  const rows = (rowsCrc >>> 0).toString(16).padStart(8, '0');
  if (rows !== written.rowsCrc) throw new CorruptSnapshotError(file, undefined, `rows-crc re-reads as ${rows}, written ${written.rowsCrc}`);
  if (lines !== meta.rowCount) throw new CorruptSnapshotError(file, undefined, `meta.row_count is ${meta.rowCount} but ${lines} row lines were written`);
  const last = readTailCrcs(fd);
  if (last.rowsCrc !== written.rowsCrc) throw new CorruptSnapshotError(file, undefined, `the last line is not \`# rows-crc: ${written.rowsCrc}\``);
  if (last.metaCrc !== metaCrc(meta)) throw new CorruptSnapshotError(file, undefined, `the meta-crc line re-reads as ${last.metaCrc}, not ${metaCrc(meta)}`);
}

/** One streamed pass: crc32 of the whole file, crc32 and line count of the bytes in [rowsStart, rowsEnd). */
function rehash(fd: number, file: string, size: number, rowsStart: number, rowsEnd: number): { fileCrc: number; rowsCrc: number; lines: number } {
  const buf = Buffer.allocUnsafe(Math.min(VERIFY_CHUNK_BYTES, Math.max(size, 1)));
  let fileCrc = 0;
  let rowsCrc = 0;
  let lines = 0;
  for (let pos = 0; pos < size; ) {
    const n = io.readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    if (n === 0) throw new CorruptSnapshotError(file, undefined, `re-reads only ${pos} of ${size} bytes`);
    const chunk = buf.subarray(0, n);
    fileCrc = zlib.crc32(chunk, fileCrc);
    const from = Math.max(rowsStart, pos) - pos;
    const to = Math.min(rowsEnd, pos + n) - pos;
    if (from < to) {
      const rows = chunk.subarray(from, to);
      rowsCrc = zlib.crc32(rows, rowsCrc);
      for (let i = rows.indexOf(10); i >= 0; i = rows.indexOf(10, i + 1)) lines++;
    }
    pos += n;
  }
  return { fileCrc: fileCrc >>> 0, rowsCrc, lines };
}
