// Frozen copy of src/sdn/stringify.ts at 236be78 (before the table fast path): the oracle for
// test/sdn/stringify-reference.test.ts, which checks the current writer is byte-identical to it.
// Its key, string and bigint rules were since brought to the portable profile (docs/sdn.md,
// "Writer profile"): bare portable names, raw control characters, lone surrogates refused,
// bigints beyond 64 bits quoted.
/** The SDN writer: one conservative profile (LF, 4-space indent, every string quoted, plain decimals) that re-parses to the same value. */
import { SdnwalError } from '../../../src/errors.js';

/** A value the writer cannot express (NaN, Infinity, a cycle, a non-object document). */
export class SdnStringifyError extends SdnwalError {
  constructor(message: string) {
    super('SDN_STRINGIFY', message);
  }
}

export const INDENT = '    ';
const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const KEYWORDS = ['true', 'false', 'null', 'nil', 'table'];

/**
 * Writes `value` as an SDN document. The top level must be a plain object (a document is a dict
 * of keys); anything else is an SdnStringifyError — wrap it, e.g. `stringify({ items })`.
 * As with JSON.stringify, `toJSON()` is honoured and keys whose value is undefined, a function
 * or a symbol are left out (in arrays they become null).
 */
export function stringify(value: unknown): string {
  const doc = normalize(value, '');
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    const what = doc === null ? 'null' : Array.isArray(doc) ? 'an array' : typeof doc;
    throw new SdnStringifyError(`stringify expects an object (an SDN document is a dict of keys), got ${what}; wrap it, e.g. stringify({ value })`);
  }
  return writeEntries(doc as Record<string, unknown>, '', new Set());
}

/** `name |a, b|` — a named table header line, without the newline. */
export function formatTableHeader(name: string, columns: readonly string[]): string {
  if (columns.length === 0) throw new SdnStringifyError(`table "${name}" needs at least one column`);
  let s = formatKey(name) + ' |';
  for (let i = 0; i < columns.length; i++) s += (i === 0 ? '' : ', ') + formatKey(columns[i]);
  return s + '|';
}

/** One table row line — `indent` then the cells, comma-separated — without the newline. */
export function formatTableRow(values: readonly unknown[], indent: string = INDENT): string {
  let s = indent;
  for (let i = 0; i < values.length; i++) {
    if (i > 0) s += ', ';
    s += formatInline(values[i]);
  }
  return s;
}

/** A scalar as the writer prints it: quoted string, plain decimal, true/false/null. */
export function formatScalar(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      return formatNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v >= -(2n ** 63n) && v < 2n ** 63n ? v.toString() : `"${v}"`;
    default:
      if (v === null || v === undefined) return 'null';
      throw new SdnStringifyError(`cannot write a ${typeof v} as an SDN scalar`);
  }
}

/** Any value on one line: scalars, `[a, b]`, `{k: v}`. */
export function formatInline(v: unknown, seen: Set<object> = new Set()): string {
  v = normalize(v, '');
  if (v === null || typeof v !== 'object') return formatScalar(v);
  if (seen.has(v)) throw new SdnStringifyError('cannot write a circular structure');
  seen.add(v);
  let s: string;
  if (Array.isArray(v)) {
    s = '[';
    for (let i = 0; i < v.length; i++) s += (i === 0 ? '' : ', ') + formatInline(v[i] === undefined ? null : v[i], seen);
    s += ']';
  } else {
    s = '{';
    let first = true;
    for (const k of Object.keys(v)) {
      const x = normalize((v as Record<string, unknown>)[k], k);
      if (x === undefined) continue;
      s += (first ? '' : ', ') + formatKey(k) + ': ' + formatInline(x, seen);
      first = false;
    }
    s += '}';
  }
  seen.delete(v);
  return s;
}

/** A key bare when it is an identifier, else quoted. */
export function formatKey(k: string): string {
  return BARE_KEY.test(k) && !KEYWORDS.includes(k) ? k : quote(k);
}

export function quote(s: string): string {
  // Fast path: a plain scan (cheaper than a regex with a surrogate range) finds nothing to escape.
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) break;
  }
  if (i === n) return '"' + s + '"';
  let out = '"';
  let from = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    let rep: string;
    if (c === 34) rep = '\\"';
    else if (c === 92) rep = '\\\\';
    else if (c === 10) rep = '\\n';
    else if (c === 9) rep = '\\t';
    else if (c === 13) rep = '\\r';
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a well-formed pair is written as is
        continue;
      }
      throw lone(s, i);
    } else if (c >= 0xdc00 && c <= 0xdfff) throw lone(s, i);
    else continue;
    out += s.slice(from, i) + rep;
    from = i + 1;
  }
  return out + s.slice(from) + '"';
}

function lone(s: string, i: number): SdnStringifyError {
  const at = JSON.stringify(s.length > 40 ? s.slice(Math.max(0, i - 20), i + 20) : s);
  return new SdnStringifyError(`cannot write the string ${at}: it holds a lone UTF-16 surrogate (U+${s.charCodeAt(i).toString(16).toUpperCase()}) at index ${i}, which has no UTF-8 form; strings must be well-formed Unicode`);
}

/**
 * Numbers as plain decimals: integers as digits, other numbers always with a `.` and never an
 * exponent (1e-10 → 0.0000000001, 1e21 → 1000000000000000000000.0), so every reader agrees.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new SdnStringifyError(`cannot write ${n}: SDN has no NaN or Infinity`);
  if (Number.isSafeInteger(n)) return Object.is(n, -0) ? '-0.0' : String(n);
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s.includes('.') ? s : s + '.0';
  const neg = s.charCodeAt(0) === 45;
  const mant = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mant.indexOf('.');
  const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  const point = (dot < 0 ? mant.length : dot) + exp; // digits before the decimal point
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length) + '.0';
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return neg ? '-' + out : out;
}

/** JSON.stringify's view of a value: toJSON() applied; functions, symbols, undefined → undefined. */
function normalize(v: unknown, key: string): unknown {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON(k: string): unknown }).toJSON(key);
  }
  const t = typeof v;
  return t === 'function' || t === 'symbol' ? undefined : v;
}

function isScalar(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint';
}

/** The entries of a dict at `indent`, one per line (or block). */
export function writeEntries(obj: Record<string, unknown>, indent: string, seen: Set<object>): string {
  if (seen.has(obj)) throw new SdnStringifyError('cannot write a circular structure');
  seen.add(obj);
  let s = '';
  for (const k of Object.keys(obj)) {
    const v = normalize(obj[k], k);
    if (v !== undefined) s += writeEntry(k, v, indent, seen);
  }
  seen.delete(obj);
  return s;
}

/** One `key ...` entry at `indent`, with its block if it has one; ends with a newline. */
export function writeEntry(key: string, v: unknown, indent: string, seen: Set<object> = new Set()): string {
  const k = indent + formatKey(key);
  if (v === null || typeof v !== 'object') return k + ': ' + formatScalar(v) + '\n';
  if (Array.isArray(v)) {
    if (v.length === 0) return k + ' = []\n';
    const columns = tableColumns(v);
    if (columns) return writeTable(k, columns, v as Record<string, unknown>[], indent + INDENT);
    if (v.every(isScalar)) return k + ' = ' + formatInline(v, seen) + '\n';
    if (seen.has(v)) throw new SdnStringifyError('cannot write a circular structure');
    seen.add(v);
    let s = k + ':\n';
    for (const item of v) s += indent + INDENT + formatInline(item === undefined ? null : item, seen) + '\n';
    seen.delete(v);
    return s;
  }
  const body = writeEntries(v as Record<string, unknown>, indent + INDENT, seen);
  return body === '' ? k + ' = {}\n' : k + ':\n' + body;
}

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

function writeTable(head: string, columns: string[], rows: Record<string, unknown>[], rowIndent: string): string {
  let s = head + ' |';
  for (let i = 0; i < columns.length; i++) s += (i === 0 ? '' : ', ') + formatKey(columns[i]);
  // One flat string per row, joined once: far less garbage than one long chain of `+=`.
  const lines: string[] = new Array(rows.length + 2);
  lines[0] = s + '|';
  const n = columns.length;
  const cells: string[] = new Array(n);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let i = 0; i < n; i++) {
      const v = row[columns[i]];
      if (typeof v === 'string') cells[i] = quote(v);
      else if (typeof v === 'number' && Number.isSafeInteger(v) && v !== 0) cells[i] = '' + v;
      else cells[i] = formatScalar(v);
    }
    lines[r + 1] = rowIndent + cells.join(', ');
  }
  lines[rows.length + 1] = '';
  return lines.join('\n');
}
