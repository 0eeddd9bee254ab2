// The writer's table fast path (optimistic chunks checked by one regex) must be byte-identical to
// the writer before it (test/sdn/reference/stringify-v1.ts), errors included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from '../../src/sdn/index.js';
import { stringify as stringifyV1 } from './reference/stringify-v1.js';

function outcome(write: (v: unknown) => string, v: unknown): { text: string } | { error: string } {
  try {
    return { text: write(v) };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

// Mostly plain cells, sometimes one that needs escaping: tables span several 64-row chunks, some
// clean and some not, so both paths and the back-off between them are exercised.
const plain = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '-', ',', '#', ':', 'é', '日'), maxLength: 12 });
const dirty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('"', '\\', '\n', '\r\n', '\t', '\u0000', '\u007f', '\ud800', '\udc00x', '😀', '\u2028', 'a", "b', 'x"\n"y'),
);
const cell = fc.oneof(
  { arbitrary: plain, weight: 30 },
  { arbitrary: dirty, weight: 1 },
  { arbitrary: fc.integer(), weight: 3 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 2 },
  { arbitrary: fc.constantFrom(0, -0, 1e21, 1e-10, 2 ** 53, true, false, null, 12345678901234567890n, 2n ** 64n, -(2n ** 63n) - 1n), weight: 2 },
);
const key = fc.oneof(fc.constantFrom('id', 'a_b', 'x y', '', '"q"', 'é'), fc.string({ maxLength: 4 }));
const table = fc.tuple(
  fc.uniqueArray(key, { minLength: 1, maxLength: 5 }),
  fc.integer({ min: 1, max: 300 }),
).chain(([cols, n]) => fc.array(fc.array(cell, { minLength: cols.length, maxLength: cols.length }), { minLength: n, maxLength: n })
  .map((rows) => rows.map((r) => Object.fromEntries(cols.map((c, i) => [c, r[i]])))));
const doc = fc.dictionary(key, fc.oneof(table, cell, fc.dictionary(key, table, { maxKeys: 2 })), { maxKeys: 4 });

describe('stringify against the reference writer', () => {
  it('writes every document byte for byte as before', () => {
    fc.assert(fc.property(doc, (v) => {
      expect(outcome(stringify, v)).toEqual(outcome(stringifyV1, v));
    }), { numRuns: 300 });
  });

  it('fails on the same cell with the same error', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, note: i === 150 ? NaN : i === 70 ? 'a"b' : `n${i}` }));
    expect(outcome(stringify, { t: rows })).toEqual(outcome(stringifyV1, { t: rows }));
    expect(outcome(stringify, { t: rows })).toMatchObject({ error: expect.stringMatching(/NaN/) });
  });

  it('matches on long clean, dirty and mixed tables', () => {
    const make = (f: (i: number) => unknown) => ({ t: Array.from({ length: 1000 }, (_, i) => ({ id: `r${i}`, v: f(i), n: i * 0.5 })) });
    for (const v of [make((i) => `x${i}`), make((i) => `q"${i}`), make((i) => (i % 97 ? `x${i}` : 'a\nb')), make((i) => (i % 3 ? i : `s${i}`))]) {
      expect(stringify(v)).toBe(stringifyV1(v));
    }
  });
});
