/**
 * The compactor's table state: the replay rules of src/replay/rules.ts (same results, same row
 * order), but an inserted row that holds only declared columns and plain values (strings, finite
 * numbers, booleans, null) is formatted into its snapshot line at once and kept as bytes in a
 * RowArena; only the other rows stay objects. Writing the snapshot then copies bytes. The output
 * is byte for byte what formatting every row object at write time gives.
 */
import type { PendingWrite } from '../wal/entry.js';
import { applyWrite, type Record_, type ReplayCounts } from '../replay/rules.js';
import { formatRow } from '../snapshot/format.js';
import { InsertLines } from './insert-lines.js';
import { checkNewKey, rowKey, type RowTarget } from '../snapshot/load.js';
import { RowArena, widen } from './row-arena.js';
import { parseRowAt, plainKeyCell, runHeaderColumns } from '../snapshot/key-cell.js';
import { parseRowLine } from '../snapshot/row-line.js';

/** An absent cell, appended to an arena line for each column only object rows have. */
const ABSENT_TAIL = ', nil';

/** Output buffer size for `emit` (runs of whole lines). */
const EMIT_BYTES = 1024 * 1024;

export class CompactFold implements RowTarget {
  /** key → a row object, or the arena id of its formatted line (formatted with `this.base`). */
  private readonly rows = new Map<string, Record_ | number>();
  private readonly arena = new RowArena();
  /** The columns arena lines are formatted with: the declared ones (empty: no row is formatted early). */
  private readonly base: readonly string[];
  private readonly declared: ReadonlySet<string>;
  /** The header's first columns, as rowColumns() starts them: the declared ones, else the key alone. */
  private readonly first: readonly string[];
  /** Reads plain inserts straight into lines (undefined when no row can be a line). */
  private readonly fast: InsertLines | undefined;
  /** The key column's index in `base`. */
  private readonly keyCol: number;
  private lineEnds = new Uint32Array(1024);
  private checkedHeader: string | undefined;
  private headerOk = false;

  constructor(
    declared: readonly string[],
    private readonly key: string,
  ) {
    this.first = declared.length > 0 ? [...declared] : [key];
    this.base = declared.includes(key) ? this.first : [];
    this.declared = new Set(this.base);
    this.fast = InsertLines.usable(this.base, key) ? new InsertLines(this.base, key) : undefined;
    this.keyCol = this.base.indexOf(key);
  }

  get size(): number {
    return this.rows.size;
  }

  /** RowTarget (src/snapshot/load.ts): the snapshot loads straight into the fold (objects, or lines via `lines`). */
  has(key: string): boolean {
    return this.rows.has(key);
  }


  /**
   * RowTarget: take a run of the snapshot's row lines as bytes, when its header has exactly the
   * columns arena lines are formatted with. The loader checks the rows-crc over them, so they are
   * the lines the writer wrote, which read back to rows it formats to the same bytes (the writer
   * profile is stable). Only the key is read from each line; a line whose key cell is not a plain
   * quoted string is parsed (and kept as an object).
   */
  lines(buf: Buffer, from: number, to: number, firstLine: number, header: string, file: string): boolean {
    if (!this.sameHeader(header)) return false;
    const run = buf.subarray(from, to);
    let ends = this.lineEnds;
    let n = 0;
    for (let at = 0; at < run.length; ) {
      const nl = run.indexOf(10, at);
      at = nl < 0 ? run.length : nl + 1;
      if (n === ends.length) ends = this.lineEnds = widen(ends);
      ends[n++] = at;
    }
    let id = this.arena.addLines(run, ends, n);
    const keyCol = this.keyCol;
    const legacy = hasLegacyForm(run, 0, run.length);
    for (let i = 0, start = 0; i < n; i++, id++) {
      const end = ends[i]!;
      const line = (): number => firstLine + i;
      let ks = legacy && hasLegacyForm(run, start, end) ? undefined : plainKeyCell(run, start, end, keyCol);
      let row: Record_ | number = id;
      if (ks === undefined) {
        row = parseRowAt(run, start, end, this.base, file, line);
        ks = rowKey(row, this.key, file, line);
      }
      checkNewKey(this, ks, file, line);
      this.rows.set(ks, row);
      start = end;
    }
    return true;
  }

  /** Whether `header` (a rows table's header line) names exactly the base columns. */
  private sameHeader(header: string): boolean {
    if (header !== this.checkedHeader) {
      const cols = this.base.length > 0 ? runHeaderColumns(header) : undefined;
      this.headerOk = cols !== undefined && cols.length === this.base.length && cols.every((c, i) => c === this.base[i]);
      this.checkedHeader = header;
    }
    return this.headerOk;
  }

  /** Replay one write onto this state (the rule of src/replay/rules.ts). */
  apply(w: PendingWrite, counts: ReplayCounts, tombstones: Map<string, number>): void {
    applyWrite(this, w, counts, tombstones);
  }

  /** ReplayTarget: a row that fits a line is formatted now and kept as bytes. */
  set(key: string, row: Record_): void {
    this.rows.set(key, this.lineable(row) ? this.arena.add(formatRow(row, this.base)) : row);
  }

  delete(key: string): boolean {
    return this.rows.delete(key);
  }

  /**
   * Apply an entry given as its msgpack payload, if it is a plain insert the fast reader takes
   * (the same result as decoding it and calling apply); false, with nothing changed, otherwise.
   */
  applyPayload(payload: Buffer, counts: ReplayCounts, tombstones: Map<string, number>): boolean {
    const fast = this.fast;
    const n = fast ? fast.read(payload) : -1;
    if (n < 0) return false;
    const keys = fast!.keys;
    let id = this.arena.addLines(fast!.lines, fast!.ends, n);
    const rows = this.rows;
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      const before = rows.size;
      rows.set(key, id++);
      if (rows.size === before) counts.replaced++;
      else counts.inserted++;
      if (tombstones.size > 0) tombstones.delete(key);
    }
    return true;
  }

  /** The row with this key as an object (a formatted line is read back). */
  get(key: string): Record_ | undefined {
    const r = this.rows.get(key);
    if (typeof r !== 'number') return r;
    return parseRowLine(this.arena.bytes(r).toString('utf8'), this.base);
  }

  /**
   * Only declared columns, the key present, and values whose line reads back exactly as they are
   * (an integer beyond 2^53 is written as digits that read back as a string, so it stays an object).
   */
  private lineable(v: Record_): boolean {
    if (this.base.length === 0) return false;
    const k = v[this.key];
    if (k === undefined || k === null) return false;
    for (const c in v) {
      if (!this.declared.has(c)) return false;
      const x = v[c];
      const t = typeof x;
      if (!(t === 'string' || t === 'boolean' || x === null || (t === 'number' && (Number.isSafeInteger(x) || (Number.isFinite(x) && !Number.isInteger(x)))))) return false;
    }
    return true;
  }

  /** The row as written: with its key column (filled from the map key if a write left it out). */
  private keyed(k: string, row: Record_): Record_ {
    return row[this.key] === undefined || row[this.key] === null ? { ...row, [this.key]: k } : row;
  }

  /** Header columns: as rowColumns() over the rows in order (only object rows can add any). */
  columns(): string[] {
    const cols = [...this.first];
    const seen = new Set(cols);
    for (const [key, r] of this.rows) {
      if (typeof r === 'number') continue;
      const row = this.keyed(key, r);
      for (const k in row) {
        if (!seen.has(k) && Object.prototype.hasOwnProperty.call(row, k) && row[k] !== undefined) {
          seen.add(k);
          cols.push(k);
        }
      }
    }
    return cols;
  }

  /**
   * The row lines for header `columns` (which must start with the base columns, as columns() gives),
   * in runs of whole lines: `out` gets a reused buffer and must consume it before returning.
   */
  emit(columns: readonly string[], out: (lines: Buffer, rows: number) => void): void {
    const pad = ABSENT_TAIL.repeat(columns.length - this.base.length);
    const padBytes = Buffer.from(pad + '\n');
    let buf = Buffer.allocUnsafe(EMIT_BYTES);
    let pos = 0;
    let n = 0;
    const room = (bytes: number): void => {
      if (pos + bytes <= buf.length) return;
      if (pos > 0) out(buf.subarray(0, pos), n);
      pos = 0;
      n = 0;
      if (bytes > buf.length) buf = Buffer.allocUnsafe(bytes);
    };
    for (const [k, row] of this.rows) {
      if (typeof row === 'number') {
        const len = this.arena.length(row);
        room(len + padBytes.length);
        if (pad === '') pos += this.arena.copyTo(row, buf, pos);
        else {
          pos += this.arena.copyTo(row, buf, pos, 1); // without its LF
          pos += padBytes.copy(buf, pos);
        }
      } else {
        const line = formatRow(this.keyed(k, row), columns);
        room(line.length * 3);
        pos += buf.write(line, pos, 'utf8');
      }
      n++;
    }
    if (pos > 0) out(buf.subarray(0, pos), n);
  }
}

/**
 * Whether `buf[start..end)` may hold what an older writer wrote and today's writes otherwise
 * (docs/snapshot-format.md, "Verification"): a `\u` escape (control characters are now written raw) or
 * a quoted name before `: ` (portable names are now bare). Such a line is parsed and written
 * anew; a false alarm (`"a\": b"`) only costs that parse.
 */
function hasLegacyForm(buf: Buffer, start: number, end: number): boolean {
  const part = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return part.indexOf(LEGACY_ESCAPE) >= 0 || part.indexOf(LEGACY_KEY) >= 0;
}

const LEGACY_ESCAPE = Buffer.from('\\u', 'latin1');
const LEGACY_KEY = Buffer.from('": ', 'latin1');
