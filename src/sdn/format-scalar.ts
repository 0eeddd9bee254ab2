/** The writer's scalars and keys: quoted strings, plain decimals, true/false/null, bare-or-quoted keys. */
import { SdnwalError } from '../errors.js';
import { isPortableName } from './names.js';

/** A value the writer cannot express (NaN, Infinity, a cycle, a non-object document). */
export class SdnStringifyError extends SdnwalError {
  constructor(message: string) {
    super('SDN_STRINGIFY', message);
  }
}

/** The signed 64-bit range: integers beyond it are written quoted (Simple's parser reads them as 0). */
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

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
      // Read back as a number when safe, else as its digits (never rounded); quoted beyond 64 bits.
      return v >= I64_MIN && v <= I64_MAX ? v.toString() : '"' + v.toString() + '"';
    default:
      if (v === null || v === undefined) return 'null';
      throw new SdnStringifyError(`cannot write a ${typeof v} as an SDN scalar`);
  }
}

export function isScalar(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint';
}

/** A key bare when it fits the portable name rule (src/sdn/names.ts), else quoted. */
export function formatKey(k: string): string {
  return isPortableName(k) ? k : quote(k);
}

/**
 * A string between quotes, escaping only `\\ \" \n \t \r`: the escapes Simple's parser decodes
 * too. Other control characters go in as themselves (both readers take them raw). A lone
 * surrogate has no UTF-8 form and no escape both readers decode: an SdnStringifyError.
 */
export function quote(s: string): string {
  // Fast path: a plain scan (cheaper than a regex with a surrogate range) finds nothing to escape.
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 92 || c === 10 || c === 9 || c === 13 || (c >= 0xd800 && c <= 0xdfff)) break;
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
      throw loneSurrogate(s, i);
    } else if (c >= 0xdc00 && c <= 0xdfff) throw loneSurrogate(s, i);
    else continue;
    out += s.slice(from, i) + rep;
    from = i + 1;
  }
  return out + s.slice(from) + '"';
}

function loneSurrogate(s: string, i: number): SdnStringifyError {
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
