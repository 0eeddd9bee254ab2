/** SDN table pieces: the `|a, b|` header, `table{i32, f64}` types, one row of comma-separated cells. */
import { COMMA, CR, HASH, LBRACE, LBRACKET, LF, Lexer, PIPE, QUOTE, RBRACE, SPACE, STOP_CELL, TAB } from './lexer.js';
import { readInline } from './inline.js';
import { MAX_DEPTH, TOO_DEEP } from './limits.js';
import type { SdnObject, SdnValue } from './values.js';

/** Columns of a named table header; pos at the opening `|`, ends after the closing one. */
export function readColumns(lx: Lexer): string[] {
  const openAt = lx.pos;
  lx.pos++;
  const cols: string[] = [];
  for (;;) {
    lx.skipSpaces();
    const c = lx.peek();
    if (c === PIPE) {
      if (cols.length === 0) lx.fail('empty table header', openAt);
      lx.pos++;
      return cols;
    }
    if (c < 0 || c === LF || c === CR) lx.fail("unclosed table header: expected '|'", openAt);
    if (cols.length > 0) {
      if (c !== COMMA) lx.fail("expected ',' or '|' in table header");
      lx.pos++;
      lx.skipSpaces();
    }
    const at = lx.pos;
    const name = lx.readKey('a column name');
    if (cols.includes(name)) lx.fail(`duplicate column "${name}"`, at);
    cols.push(name);
  }
}

/** Types of a typed table; pos at `{` (after `table`), ends after `}`. */
export function readTypes(lx: Lexer): string[] {
  const openAt = lx.pos;
  lx.pos++;
  const types: string[] = [];
  for (;;) {
    lx.skipSpaces();
    const c = lx.peek();
    if (c === RBRACE) {
      if (types.length === 0) lx.fail('empty table header', openAt);
      lx.pos++;
      return types;
    }
    if (c < 0 || c === LF || c === CR) lx.fail("unclosed table type: expected '}'", openAt);
    if (types.length > 0) {
      if (c !== COMMA) lx.fail("expected ',' or '}' in table type");
      lx.pos++;
      lx.skipSpaces();
    }
    types.push(lx.readKey('a type name'));
  }
}

const INT_TYPES = new Set(['i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'int', 'isize', 'usize']);
const FLOAT_TYPES = new Set(['f32', 'f64', 'float']);

/** Checks a typed table cell against its declared type; unknown type names accept any value. */
export function checkTyped(lx: Lexer, type: string, v: SdnValue, at: number): void {
  let ok = true;
  if (INT_TYPES.has(type)) ok = (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d[\d_]*$/.test(v));
  else if (FLOAT_TYPES.has(type)) ok = typeof v === 'number';
  else if (type === 'bool') ok = typeof v === 'boolean';
  if (!ok) lx.fail(`value ${JSON.stringify(v)} is not a ${type}`, at);
}

/**
 * One row at pos: cells split at commas (a bare cell runs to the next comma; a cell starting with
 * `"` is a quoted string, with `[` or `{` an inline collection; an empty cell is ""). Returns an
 * object keyed by `columns`, or an array when `columns` is null. pos ends at the line's tail.
 * `level`: the nesting level of the row itself (see MAX_DEPTH; 2 in a top-level table); a collection
 * in a cell is one deeper.
 */
export function readRow(lx: Lexer, columns: string[] | null, width: number, types: string[] | null, level = 2): SdnValue {
  if (level > MAX_DEPTH) lx.fail(TOO_DEEP);
  const t = lx.text;
  const rowAt = lx.pos;
  const obj: SdnObject | null = columns ? {} : null;
  const arr: SdnValue[] | null = columns ? null : [];
  let k = 0;
  for (;;) {
    lx.skipSpaces();
    const at = lx.pos;
    const c = at < lx.len ? t.charCodeAt(at) : -1;
    let v: SdnValue;
    if (c === QUOTE) {
      v = lx.readQuoted();
      lx.skipSpaces();
    } else if (c === LBRACKET || c === LBRACE) {
      v = readInline(lx, level + 1);
      lx.skipSpaces();
    } else if (lx.atLineEnd()) {
      v = ''; // an empty last cell, e.g. `a, b,` or `a, # comment`
    } else {
      v = lx.typed(lx.readBare(STOP_CELL), at);
    }
    if (types !== null && k < width) checkTyped(lx, types[k], v, at);
    if (k < width) {
      if (obj !== null) {
        const key = (columns as string[])[k];
        if (key === '__proto__') Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        else obj[key] = v;
      } else (arr as SdnValue[]).push(v);
    }
    k++;
    const e = lx.pos < lx.len ? t.charCodeAt(lx.pos) : -1;
    if (e === COMMA) {
      lx.pos++;
      continue;
    }
    if (e === -1 || e === LF || e === CR || (e === HASH && isSpace(t.charCodeAt(lx.pos - 1)))) break;
    lx.fail('unexpected characters after value');
  }
  if (k !== width) lx.fail(`row has ${k} cells but the table has ${width} columns`, rowAt);
  return obj ?? (arr as SdnValue[]);
}

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB;
}
