// Property: what stringify writes from a document of portable names passes the portable check
// (Simple's own SDN parser reads it the same) and re-parses to the same value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPortable, parse, stringify } from '../../src/sdn/index.js';
import { portableName, scalar, value } from './portable-arbitraries.js';

/** A named table: rows with the same portable columns in the same order. */
const table = fc.uniqueArray(portableName, { minLength: 1, maxLength: 4 }).chain((cols) =>
  fc.array(fc.tuple(...cols.map(() => scalar)), { minLength: 1, maxLength: 5 }).map((rows) => rows.map((r) => Object.fromEntries(cols.map((c, i) => [c, r[i]])))));
const doc = fc.dictionary(portableName, fc.oneof(value, table, fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })), { maxKeys: 6 });

/** The value parse gives back for `v`: a bigint beyond the safe range reads back as its digits. */
function readBack(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(readBack);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, readBack(x)]));
  return v;
}

describe('stringify is portable', () => {
  it('passes the portable check and re-parses to the same value (property)', () => {
    fc.assert(fc.property(doc, (d) => {
      const out = stringify(d);
      expect(checkPortable(out)).toEqual([]);
      expect(parse(out)).toEqual(readBack(d));
    }), { numRuns: 400 });
  });

  it('writes integers beyond 64 bits quoted, those within as digits', () => {
    expect(stringify({ a: 2n ** 64n, b: -(2n ** 63n) - 1n, c: 2n ** 63n - 1n, d: -(2n ** 63n), e: [18446744073709551616n] })).toBe(
      'a: "18446744073709551616"\nb: "-9223372036854775809"\nc: 9223372036854775807\nd: -9223372036854775808\ne = ["18446744073709551616"]\n',
    );
    expect(parse(stringify({ t: [{ id: 1, n: 2n ** 64n }, { id: 2, n: 5n }] }))).toEqual({ t: [{ id: 1, n: '18446744073709551616' }, { id: 2, n: 5 }] });
  });
});
