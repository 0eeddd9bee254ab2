/** SDN values: the JS types a document maps to, bare-word typing (numbers, keywords) and key insertion. */

export type SdnScalar = string | number | boolean | null;
export type SdnValue = SdnScalar | SdnValue[] | SdnObject;
export interface SdnObject {
  [key: string]: SdnValue;
}

/**
 * Types a bare word: `true`/`false`, `null`/`nil`, a number, else the text itself. Anything that
 * is not exactly a number (`2.1.0`, `2026-02-06`, `0.0.0.0`, hashes, `007`) stays a string, so
 * nothing is ever split or rounded into something else.
 */
export function typeBare(s: string): SdnScalar {
  const n = s.length;
  if (n === 0) return '';
  const c = s.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45) return parseNumber(s);
  if (n === 4) {
    if (s === 'true') return true;
    if (s === 'null') return null;
  } else if (n === 5) {
    if (s === 'false') return false;
  } else if (n === 3) {
    if (s === 'nil') return null;
  }
  return s;
}

/**
 * Number grammar: `-? int ('.' digits)? ([eE] [+-]? digits)?` where int is `0` or a non-zero-led
 * digit run, and `_` may separate digits (`1_000`). Leading zeros (`007`) are not numbers: they
 * would lose their zeros. Integers outside ±(2^53-1) and floats that overflow to ±Infinity are
 * returned as the source text, never rounded silently.
 */
export function parseNumber(s: string): SdnScalar {
  const n = s.length;
  let i = 0;
  if (s.charCodeAt(0) === 45) i = 1;
  const intStart = i;
  let underscore = false;
  i = scanDigits(s, i);
  if (i < 0) return s;
  if (i === intStart) return s;
  if (s.charCodeAt(intStart) === 48 && i - intStart > 1) return s; // leading zero
  let isFloat = false;
  if (i < n && s.charCodeAt(i) === 46) {
    const f = scanDigits(s, i + 1);
    if (f < 0 || f === i + 1) return s;
    i = f;
    isFloat = true;
  }
  if (i < n) {
    const e = s.charCodeAt(i);
    if (e !== 101 && e !== 69) return s;
    i++;
    const sign = s.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const d = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    if (i === d || i !== n) return s;
    isFloat = true;
  }
  if (s.indexOf('_') >= 0) underscore = true;
  const v = Number(underscore ? s.replace(/_/g, '') : s);
  if (isFloat) return Number.isFinite(v) ? v : s;
  return Number.isSafeInteger(v) ? v : s;
}

/** Digits with single `_` separators from `i`; returns the end index, or -1 on a bad `_`. */
function scanDigits(s: string, i: number): number {
  const n = s.length;
  const start = i;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      i++;
      continue;
    }
    if (c === 95) {
      // `_` only between two digits
      if (i === start || i + 1 >= n) return -1;
      const next = s.charCodeAt(i + 1);
      if (next < 48 || next > 57) return -1;
      i++;
      continue;
    }
    break;
  }
  return i;
}

/**
 * Adds `key` to `obj`. A repeated key collects its values into an array in file order
 * (`repeated` remembers which keys were collected, so a first value that is itself an array is
 * not confused with a collection). `__proto__` is defined as an own property, as JSON.parse does.
 */
export function setKey(obj: SdnObject, key: string, value: SdnValue, repeated: Set<string> | null): Set<string> | null {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) {
    if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
    else obj[key] = value;
    return repeated;
  }
  const set = repeated ?? new Set<string>();
  if (set.has(key)) (obj[key] as SdnValue[]).push(value);
  else {
    const first = obj[key] as SdnValue;
    if (key === '__proto__') Object.defineProperty(obj, key, { value: [first, value], enumerable: true, writable: true, configurable: true });
    else obj[key] = [first, value];
    set.add(key);
  }
  return set;
}
