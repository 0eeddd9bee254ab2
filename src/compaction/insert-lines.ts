/**
 * The compactor's fast path for the common log entry: an insert whose rows hold only declared
 * columns and plain values. It reads the msgpack payload byte by byte (msgpack-reader.ts) and writes each row's
 * snapshot line (formatRow with the declared columns) straight into a buffer, with no row
 * objects and no value strings in between; only the keys become JS strings (the fold's Map needs
 * them). Anything else (another operation, an unknown key, a value the line cannot hold exactly)
 * makes `read` return -1 before any state changes, and the caller decodes the entry the usual way.
 * The lines are byte for byte what formatRow gives for the decoded row (property-tested).
 */
import { formatNumber, quote } from '../sdn/format-scalar.js';
import { unpackValue } from '../wal/entry.js';
import { OPERATIONS, ROW_FIELDS, WRITE_FIELDS } from '../wal/entry-shape.js';
import { ABSENT_CELL, ROW_INDENT } from '../snapshot/constants.js';
import { DECLINE, MsgpackReader } from './msgpack-reader.js';
import { widen } from './row-arena.js';

const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const [OPERATION, ROWS, TIMESTAMP, SYNCED, SPOOL_ID] = WRITE_FIELDS.map(ascii) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
const [KEY, VALUES] = ROW_FIELDS.map(ascii) as [Uint8Array, Uint8Array];
const INSERT = ascii(OPERATIONS[0]);
const INDENT = ascii(ROW_INDENT);
const NIL = ascii(ABSENT_CELL);
const TRUE = ascii('true');
const FALSE = ascii('false');
const NULL = ascii('null');

export class InsertLines extends MsgpackReader {
  /** The keys of the rows `read` decoded, in order. */
  readonly keys: string[] = [];
  /** Line i is `lines[ends[i-1] .. ends[i])` (from 0 for the first), each with its LF. */
  lines = Buffer.allocUnsafe(64 * 1024);
  ends = new Uint32Array(1024);

  private readonly cols: Uint8Array[];
  private readonly keyCol: number;
  // Per column, where the current row's cell is in `lines` (-1: absent).
  private readonly cellStart: Int32Array;
  private readonly cellEnd: Int32Array;
  private out = 0;

  /** `columns`: the declared columns the lines are formatted with; `key`: the key column, one of them. */
  constructor(columns: readonly string[], key: string) {
    super();
    this.cols = columns.map((c) => Buffer.from(c, 'utf8'));
    this.keyCol = columns.indexOf(key);
    this.cellStart = new Int32Array(columns.length);
    this.cellEnd = new Int32Array(columns.length);
  }

  /** Whether this reader can ever apply: msgpackr renames a `__proto__` key, so such a column is left to it. */
  static usable(columns: readonly string[], key: string): boolean {
    return columns.includes(key) && !columns.includes('__proto__');
  }

  /** Decode `payload` if it is a plain insert: returns its row count (keys and lines filled), else -1. */
  read(payload: Buffer): number {
    this.p = payload;
    this.at = 0;
    this.out = 0;
    this.keys.length = 0;
    try {
      return this.entry();
    } catch (err) {
      if (err === DECLINE || err instanceof RangeError) return -1; // RangeError: a length past the payload's end
      throw err;
    }
  }

  private entry(): number {
    let n = this.mapHeader();
    if (n < 2 || !this.keyIs(OPERATION) || !this.keyIs(INSERT)) throw DECLINE;
    let rows = -1;
    let seen = 0; // bits: rows, timestamp, synced, spoolId
    while (--n > 0) {
      // `seen` first: keyIs consumes the key it matches, so a repeated key must not get that far.
      if (!(seen & 1) && this.keyIs(ROWS)) {
        seen |= 1;
        rows = this.rows();
      } else if (!(seen & 2) && this.keyIs(TIMESTAMP)) {
        seen |= 2;
        this.number(); // any number, as the decoder takes
      } else if (!(seen & 4) && this.keyIs(SYNCED)) {
        seen |= 4;
        const s = this.number();
        if (!Number.isSafeInteger(s) || s < 0) throw DECLINE;
      } else if (!(seen & 8) && this.keyIs(SPOOL_ID)) {
        seen |= 8;
        this.skipStr();
      } else throw DECLINE;
    }
    if ((seen & 7) !== 7 || this.at !== this.p.length) throw DECLINE;
    return rows;
  }

  private rows(): number {
    const n = this.arrayHeader();
    if (n > this.p.length) throw DECLINE; // each row takes bytes: a count past that is not ours to trust
    while (this.ends.length < n) this.ends = widen(this.ends);
    for (let i = 0; i < n; i++) {
      let fields = this.mapHeader();
      let key: string | undefined;
      let line = false;
      while (fields-- > 0) {
        if (key === undefined && this.keyIs(KEY)) key = this.keyString();
        else if (!line && this.keyIs(VALUES)) {
          this.line();
          line = true;
        } else throw DECLINE;
      }
      if (key === undefined || !line) throw DECLINE;
      this.keys.push(key);
      this.ends[i] = this.out;
    }
    return n;
  }

  /** One row's `values` map, as its line. */
  private line(): void {
    const cols = this.cols;
    const start = this.out;
    this.cellStart.fill(-1);
    this.put(INDENT);
    const n = this.mapHeader();
    let next = 0; // the column expected next, while the map is in column order
    let ordered = true;
    for (let i = 0; i < n; i++) {
      const c = next < cols.length && this.keyIs(cols[next]!) ? next : this.column();
      if (this.cellStart[c]! >= 0) throw DECLINE; // a duplicate key
      if (c !== next) ordered = false;
      next = c + 1;
      if (i > 0) this.put2(0x2c, 0x20); // ", "
      this.cellStart[c] = this.out;
      this.cell(c === this.keyCol);
      this.cellEnd[c] = this.out;
    }
    if (this.cellStart[this.keyCol]! < 0) throw DECLINE; // the key column must be there
    if (!ordered || next !== cols.length) this.reorder(start);
    this.room(1);
    this.lines[this.out++] = 0x0a;
  }

  /** Rewrite the row's cells (at `start`, after the indent) in column order, `nil` for an absent one. */
  private reorder(start: number): void {
    const cells = Buffer.from(this.lines.subarray(start, this.out));
    this.out = start;
    this.put(INDENT);
    for (let c = 0; c < this.cols.length; c++) {
      if (c > 0) this.put2(0x2c, 0x20);
      const s = this.cellStart[c]!;
      this.put(s < 0 ? NIL : cells.subarray(s - start, this.cellEnd[c]! - start));
    }
  }

  /** The index of the column named by the key at `at` (consumed). */
  private column(): number {
    const cols = this.cols;
    for (let c = 0; c < cols.length; c++) if (this.keyIs(cols[c]!)) return c;
    throw DECLINE;
  }

  /** One value as its cell text, if formatRow's line reads it back exactly (else DECLINE). */
  private cell(isKey: boolean): void {
    const p = this.p;
    const b = p[this.at]!;
    if ((b & 0xe0) === 0xa0 || b === 0xd9 || b === 0xda || b === 0xdb) return this.stringCell();
    if (b === 0xc0) {
      if (isKey) throw DECLINE; // a null key column is left to the object path
      this.at++;
      return this.put(NULL);
    }
    if (b === 0xc2 || b === 0xc3) {
      this.at++;
      return this.put(b === 0xc3 ? TRUE : FALSE);
    }
    const v = this.number();
    if (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))) throw DECLINE;
    this.putText(formatNumber(v));
  }

  /** A string cell: ASCII that quote() leaves alone (raw control characters too) is copied between quotes as it is; anything else is decoded and quoted. */
  private stringCell(): void {
    const from = this.at;
    const z = this.skipStr();
    const a = this.text;
    const p = this.p;
    this.room(z - a + 2);
    const out = this.lines;
    let o = this.out;
    out[o++] = 0x22;
    for (let i = a; i < z; i++) {
      const c = p[i]!;
      if (c > 0x7f || c === 0x22 || c === 0x5c || c === 0x0a || c === 0x09 || c === 0x0d) {
        this.putText(quote(unpackValue(p.subarray(from, z)) as string));
        return;
      }
      out[o++] = c;
    }
    out[o++] = 0x22;
    this.out = o;
  }

  /** A row's key as a JS string (ASCII read directly, anything else through msgpackr). */
  private keyString(): string {
    const from = this.at;
    const z = this.skipStr();
    const a = this.text;
    const p = this.p;
    for (let i = a; i < z; i++) if (p[i]! >= 0x80) return unpackValue(p.subarray(from, z)) as string;
    return p.toString('latin1', a, z);
  }

  private room(n: number): void {
    if (this.out + n <= this.lines.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.lines.length * 2, this.out + n));
    this.lines.copy(next, 0, 0, this.out);
    this.lines = next;
  }

  private put(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.lines.set(bytes, this.out);
    this.out += bytes.length;
  }

  private put2(a: number, b: number): void {
    this.room(2);
    this.lines[this.out++] = a;
    this.lines[this.out++] = b;
  }

  private putText(s: string): void {
    this.room(s.length * 3);
    this.out += this.lines.write(s, this.out, 'utf8');
  }
}
