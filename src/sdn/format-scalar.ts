/** The writer's scalars and keys: quoted strings, plain decimals, true/false/null, bare-or-quoted keys. */
import { SdnwalError } from '../errors.js';

/** A value the writer cannot express (NaN, Infinity, a cycle, a non-object document). */
export class SdnStringifyError extends SdnwalError {
  constructor(message: string) {
    super('SDN_STRINGIFY', message);
  }
}

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
      return v.toString(); // read back as a number when safe, else as its digits (never rounded)
    default:
      if (v === null || v === undefined) return 'null';
      throw new SdnStringifyError(`cannot write a ${typeof v} as an SDN scalar`);
  }
}

export function isScalar(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint';
}

/** A key bare when it is an identifier, else quoted. */
export function formatKey(k: string): string {
  return BARE_KEY.test(k) ? k : quote(k);
}

export function quote(s: string): string {
  // Fast path: a plain scan (cheaper than a regex with a surrogate range) finds nothing to escape.
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c === 127 || (c >= 0xd800 && c <= 0xdfff)) break;
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
    else if (c < 32 || c === 127) rep = hex(c);
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a well-formed pair is written as is
        continue;
      }
      rep = hex(c);
    } else if (c >= 0xdc00 && c <= 0xdfff) rep = hex(c);
    else continue;
    out += s.slice(from, i) + rep;
    from = i + 1;
  }
  return out + s.slice(from) + '"';
}

function hex(c: number): string {
  return '\\u' + c.toString(16).padStart(4, '0');
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
