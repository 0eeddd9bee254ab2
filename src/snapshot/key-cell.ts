/**
 * The key of a row line as the snapshot writer wrote it, read from its bytes (compaction's fold
 * and count() take runs of row lines without parsing every cell), and the fallback: the line
 * parsed as the loader parses it.
 */
import { SdnParseError } from '../errors.js';
import { CorruptSnapshotError } from './corrupt.js';
import { headerColumns, type Row } from './read.js';
import { parseRowLine } from './row-line.js';

/**
 * The text of cell `col` of a row line the writer wrote (`line[start..end)`: indent, cells joined
 * by `, `, LF), when it is a quoted string without escapes (and not empty); else undefined. Cells
 * before it are skipped: quoted strings (escapes included) and bare words; a collection gives up.
 */
export function plainKeyCell(line: Buffer, start: number, end: number, col: number): string | undefined {
  let p = start + 4; // ROW_INDENT
  for (let c = 0; c < col; c++) {
    if (line[p] === 0x22) {
      for (p++; p < end && line[p] !== 0x22; p++) if (line[p] === 0x5c) p++;
      p++;
    } else {
      while (p < end && line[p] !== 0x2c) {
        const b = line[p]!;
        if (b === 0x5b || b === 0x7b || b === 0x28 || b === 0x0a) return undefined;
        p++;
      }
    }
    if (line[p] !== 0x2c || line[p + 1] !== 0x20) return undefined;
    p += 2;
  }
  if (line[p] !== 0x22) return undefined;
  const a = p + 1;
  for (p = a; p < end; p++) {
    const b = line[p]!;
    if (b === 0x22) break;
    if (b === 0x5c || b < 0x20) return undefined;
  }
  const next = line[p + 1];
  if (p >= end || p === a || (next !== 0x2c && next !== 0x0a)) return undefined;
  return line.toString('utf8', a, p);
}

/** Row line `buf[start..end)` under `columns`, parsed; a parse error is CORRUPT_SNAPSHOT at its line. */
export function parseRowAt(buf: Buffer, start: number, end: number, columns: readonly string[], file: string, line: () => number): Row {
  try {
    return parseRowLine(buf.toString('utf8', start, end), columns);
  } catch (err) {
    if (err instanceof SdnParseError) throw new CorruptSnapshotError(file, line(), `column ${err.column}: ${err.reason}`, { cause: err });
    throw err;
  }
}

/**
 * The columns of a rows table's header line, for a target offered runs of row lines; undefined
 * when the header does not parse: the target then declines the run, and the loader parses it and
 * reports the damage as CORRUPT_SNAPSHOT at its first row line (not an SdnParseError of the header).
 */
export function runHeaderColumns(header: string): string[] | undefined {
  try {
    return headerColumns(header);
  } catch (err) {
    if (err instanceof SdnParseError) return undefined;
    throw err;
  }
}
