/** The SDN writer: one conservative profile (LF, 4-space indent, every string quoted, plain decimals) that re-parses to the same value. */
import { SdnStringifyError, formatKey, formatScalar, isScalar } from './format-scalar.js';
import { MAX_DEPTH, TOO_DEEP } from './limits.js';
import { tableColumns, writeTable } from './table-writer.js';

export { SdnStringifyError, formatKey, formatNumber, formatScalar, quote } from './format-scalar.js';
export { tableColumns } from './table-writer.js';

export const INDENT = '    ';

/**
 * Writes `value` as an SDN document. The top level must be a plain object (a document is a dict
 * of keys); anything else is an SdnStringifyError — wrap it, e.g. `stringify({ items })`.
 * As with JSON.stringify, `toJSON()` is honoured and keys whose value is undefined, a function
 * or a symbol are left out (in arrays they become null). A value nested deeper than MAX_DEPTH
 * (which the parser would refuse) is an SdnStringifyError too.
 */
export function stringify(value: unknown): string {
  const doc = normalize(value, '');
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    const what = doc === null ? 'null' : Array.isArray(doc) ? 'an array' : typeof doc;
    throw new SdnStringifyError(`stringify expects an object (an SDN document is a dict of keys), got ${what}; wrap it, e.g. stringify({ value })`);
  }
  return writeEntries(doc as Record<string, unknown>, '', new Set(), 0);
}

/** Throws unless a collection at nesting `level` (see MAX_DEPTH) is one the parser reads back. */
function checkLevel(level: number): void {
  if (level > MAX_DEPTH) throw new SdnStringifyError(`cannot write a value: ${TOO_DEEP}, which the parser refuses`);
}

/** `name |a, b|` — a named table header line, without the newline. */
export function formatTableHeader(name: string, columns: readonly string[]): string {
  if (columns.length === 0) throw new SdnStringifyError(`table "${name}" needs at least one column`);
  let s = formatKey(name) + ' |';
  for (let i = 0; i < columns.length; i++) s += (i === 0 ? '' : ', ') + formatKey(columns[i]);
  return s + '|';
}

/**
 * One table row line — `indent` then the cells, comma-separated — without the newline. `level`:
 * the nesting level (see MAX_DEPTH) of a cell that is a collection; 3 in a top-level table
 * (the document is 0, the table 1, the row 2).
 */
export function formatTableRow(values: readonly unknown[], indent: string = INDENT, level = 3): string {
  let s = indent;
  for (let i = 0; i < values.length; i++) {
    if (i > 0) s += ', ';
    s += formatInline(values[i], new Set(), level);
  }
  return s;
}

/**
 * Any value on one line: scalars, `[a, b]`, `{k: v}`. `level`: the nesting level (see MAX_DEPTH)
 * the value has where it is written when it is a collection; 1 for the value of a top-level entry.
 */
export function formatInline(v: unknown, seen: Set<object> = new Set(), level = 1): string {
  v = normalize(v, '');
  if (v === null || typeof v !== 'object') return formatScalar(v);
  if (seen.has(v)) throw new SdnStringifyError('cannot write a circular structure');
  checkLevel(level);
  seen.add(v);
  let s: string;
  if (Array.isArray(v)) {
    s = '[';
    for (let i = 0; i < v.length; i++) s += (i === 0 ? '' : ', ') + formatInline(v[i] === undefined ? null : v[i], seen, level + 1);
    s += ']';
  } else {
    s = '{';
    let first = true;
    for (const k of Object.keys(v)) {
      const x = normalize((v as Record<string, unknown>)[k], k);
      if (x === undefined) continue;
      s += (first ? '' : ', ') + formatKey(k) + ': ' + formatInline(x, seen, level + 1);
      first = false;
    }
    s += '}';
  }
  seen.delete(v);
  return s;
}

/** JSON.stringify's view of a value: toJSON() applied; functions, symbols, undefined → undefined. */
function normalize(v: unknown, key: string): unknown {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON(k: string): unknown }).toJSON(key);
  }
  const t = typeof v;
  return t === 'function' || t === 'symbol' ? undefined : v;
}

/** The entries of a dict at `indent`, one per line (or block); `level`: the dict's nesting level (0: the document). */
export function writeEntries(obj: Record<string, unknown>, indent: string, seen: Set<object>, level = 0): string {
  if (seen.has(obj)) throw new SdnStringifyError('cannot write a circular structure');
  seen.add(obj);
  let s = '';
  for (const k of Object.keys(obj)) {
    const v = normalize(obj[k], k);
    if (v !== undefined) s += writeEntry(k, v, indent, seen, level + 1);
  }
  seen.delete(obj);
  return s;
}

/**
 * One `key ...` entry at `indent`, with its block if it has one; ends with a newline. `level`: the
 * nesting level of `v` when it is a collection (1: the value of a top-level entry; see MAX_DEPTH).
 */
export function writeEntry(key: string, v: unknown, indent: string, seen: Set<object> = new Set(), level = 1): string {
  const k = indent + formatKey(key);
  if (v === null || typeof v !== 'object') return k + ': ' + formatScalar(v) + '\n';
  checkLevel(level);
  if (Array.isArray(v)) {
    if (v.length === 0) return k + ' = []\n';
    const columns = tableColumns(v);
    if (columns) {
      checkLevel(level + 1); // the rows
      return writeTable(k, columns, v as Record<string, unknown>[], indent + INDENT);
    }
    if (v.every(isScalar)) return k + ' = ' + formatInline(v, seen, level) + '\n';
    if (seen.has(v)) throw new SdnStringifyError('cannot write a circular structure');
    seen.add(v);
    let s = k + ':\n';
    for (const item of v) s += indent + INDENT + formatInline(item === undefined ? null : item, seen, level + 1) + '\n';
    seen.delete(v);
    return s;
  }
  const body = writeEntries(v as Record<string, unknown>, indent + INDENT, seen, level);
  return body === '' ? k + ' = {}\n' : k + ':\n' + body;
}
