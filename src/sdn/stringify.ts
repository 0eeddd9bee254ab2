/** The SDN writer: one conservative profile (LF, 4-space indent, every string quoted, plain decimals) that re-parses to the same value. */
import { SdnStringifyError, formatKey, formatScalar, isScalar } from './format-scalar.js';
import { tableColumns, writeTable } from './table-writer.js';

export { SdnStringifyError, formatKey, formatNumber, formatScalar, quote } from './format-scalar.js';
export { tableColumns } from './table-writer.js';

export const INDENT = '    ';

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

/** JSON.stringify's view of a value: toJSON() applied; functions, symbols, undefined → undefined. */
function normalize(v: unknown, key: string): unknown {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON(k: string): unknown }).toJSON(key);
  }
  const t = typeof v;
  return t === 'function' || t === 'symbol' ? undefined : v;
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
