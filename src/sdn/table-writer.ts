/** Named tables in the writer: which arrays are tables, and their rows written fast. */
import { formatKey, formatNumber, formatScalar, isScalar, quote } from './format-scalar.js';

/** The columns when `arr` is a list of flat dicts with the same keys in the same order, else null. */
export function tableColumns(arr: readonly unknown[]): string[] | null {
  const first = arr[0];
  if (!isPlainRow(first)) return null;
  const cols = Object.keys(first as object);
  if (cols.length === 0) return null;
  const n = cols.length;
  for (let r = 0; r < arr.length; r++) {
    const row = arr[r] as Record<string, unknown>;
    if (!isPlainRow(row)) return null;
    // for-in over a plain object visits exactly its own keys, in Object.keys order, without allocating.
    let i = 0;
    for (const k in row) {
      if (i >= n || k !== cols[i] || !isScalar(row[k])) return null;
      i++;
    }
    if (i !== n) return null;
  }
  return cols;
}

function isPlainRow(row: unknown): boolean {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return false;
  const proto = Object.getPrototypeOf(row);
  return (proto === Object.prototype || proto === null) && typeof (row as { toJSON?: unknown }).toJSON !== 'function';
}

/** Rows per chunk: a chunk is built as one string and checked with one regex call. */
const CHUNK_ROWS = 64;
/** After a chunk needed escapes, at most this many chunks are written carefully before trying again. */
const MAX_SKIP = 32;

/** `head |a, b|` then one line per row at `rowIndent`; ends with a newline. */
export function writeTable(head: string, columns: string[], rows: Record<string, unknown>[], rowIndent: string): string {
  let s = head + ' |';
  for (let i = 0; i < columns.length; i++) s += (i === 0 ? '' : ', ') + formatKey(columns[i]);
  // Flat chunks (or careful rows) joined once: far less garbage than one long chain of `+=`.
  const parts: string[] = [s + '|'];
  const n = columns.length;
  const values: unknown[] = new Array(Math.min(rows.length, CHUNK_ROWS) * n);
  // Tables whose strings often need escaping would pay for a failed optimistic chunk each time:
  // after a failure, skip the optimistic try for some chunks (doubled per failure, halved per success).
  let skip = 0;
  let backoff = 1;
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    const end = Math.min(start + CHUNK_ROWS, rows.length);
    let text: string | null = null;
    if (skip > 0) {
      skip--;
      readValues(rows, start, end, columns, values);
    } else {
      text = optimisticChunk(rows, start, end, columns, rowIndent, values);
      if (text === null) {
        skip = backoff;
        backoff = Math.min(backoff * 2, MAX_SKIP);
      } else backoff = Math.max(1, backoff >> 1);
    }
    if (text === null) carefulRows(values, end - start, n, rowIndent, parts);
    else parts.push(text);
  }
  parts.push('');
  return parts.join('\n');
}

/**
 * Rows [start, end), one line each, or null when a string needs escaping. Strings go between quotes
 * unexamined, then one regex over the chunk proves none needed escaping — far cheaper than quote()
 * scanning each cell. The cells are left in `values`, so the careful path reads each cell once too.
 */
function optimisticChunk(
  rows: Record<string, unknown>[], start: number, end: number, columns: string[], indent: string, values: unknown[],
): string | null {
  const n = columns.length;
  let s = '';
  let marks = 0; // the quotes and newlines written here
  let at = 0;
  for (let r = start; r < end; r++) {
    const row = rows[r];
    if (r > start) {
      s += '\n';
      marks++;
    }
    s += indent;
    let open = false; // the last cell is a string whose closing quote is still to come
    for (let i = 0; i < n; i++) {
      const v = row[columns[i]];
      values[at++] = v;
      if (typeof v === 'string') {
        s += (i === 0 ? '"' : open ? '", "' : ', "') + v;
        marks += 2;
        open = true;
      } else {
        s += (i === 0 ? '' : open ? '", ' : ', ') + nonString(v);
        open = false;
      }
    }
    if (open) s += '"';
  }
  return isPlain(s, marks) ? s : null;
}

function readValues(rows: Record<string, unknown>[], start: number, end: number, columns: string[], values: unknown[]): void {
  let at = 0;
  for (let r = start; r < end; r++) {
    const row = rows[r];
    for (let i = 0; i < columns.length; i++) values[at++] = row[columns[i]];
  }
}

/** Pushes `count` row lines of `n` cells from `values` onto `lines`, each cell through quote() or nonString(). */
function carefulRows(values: unknown[], count: number, n: number, indent: string, lines: string[]): void {
  const cells: string[] = new Array(n);
  let at = 0;
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < n; i++) {
      const v = values[at++];
      cells[i] = typeof v === 'string' ? quote(v) : nonString(v);
    }
    lines.push(indent + cells.join(', '));
  }
}

/** A number, boolean, null or bigint cell: no newline or escape (a bigint beyond 64 bits is quoted: its quotes fail the count). */
function nonString(v: unknown): string {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v !== 0 ? '' + v : formatNumber(v);
  return formatScalar(v);
}

// What quote() escapes (surrogates, even well-formed pairs, just take the careful path, where a
// lone one is refused). Other control characters are written as they are.
const ESCAPED = '\\n\\t\\r"\\\\\\ud800-\\udfff';
const MAX_MARKS = 1 << 20;
const plainChunks = new Map<number, RegExp>();

/**
 * True when `text` holds exactly `marks` quotes and newlines in all and nothing else quote() would
 * escape. Those are the ones we wrote, so a string with a `"` or a newline in it fails the count.
 */
function isPlain(text: string, marks: number): boolean {
  if (marks > MAX_MARKS) return false;
  let re = plainChunks.get(marks);
  if (re === undefined) {
    if (plainChunks.size >= 64) plainChunks.clear(); // tables of many shapes: keep the cache small
    re = new RegExp(`^(?:[^${ESCAPED}]*["\\n]){${marks}}[^${ESCAPED}]*$`);
    plainChunks.set(marks, re);
  }
  return re.test(text);
}
