/** The write-entry fast encoder: the same bytes as msgpackr, and msgpackr for everything else. */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { packWrite } from '../../src/wal/entry-pack.js';
import { type PendingWrite, encodeEntry } from '../../src/wal/entry.js';

// The options of entry.ts (its Packr is private).
const packr = new Packr({ useRecords: false, useBigIntExtension: true, skipValues: [undefined], copyBuffers: true } as never);

/** Deep equality that tells -0 from 0 and NaN from nothing (Object.is on leaves). */
function same(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** -0 anywhere in `v` (the one value the fast path writes differently: as a float64, to keep it). */
function hasNegativeZero(v: unknown): boolean {
  if (typeof v === 'number') return Object.is(v, -0);
  if (typeof v !== 'object' || v === null) return false;
  return Object.values(v).some(hasNegativeZero);
}

function hasLoneSurrogate(v: unknown): boolean {
  if (typeof v === 'string') return /\p{Surrogate}/u.test(v);
  if (typeof v !== 'object' || v === null) return false;
  return Object.entries(v).some(([k, x]) => hasLoneSurrogate(k) || hasLoneSurrogate(x));
}

/** `fast` equals `slow` except where `slow` has 0 and `fast` has -0 (its -0 kept). */
function keptNegativeZeros(fast: unknown, slow: unknown): boolean {
  if (typeof fast === 'number' && Object.is(fast, -0)) return slow === 0;
  if (typeof fast !== 'object' || fast === null || typeof slow !== 'object' || slow === null) return Object.is(fast, slow);
  const kf = Object.keys(fast);
  const ks = Object.keys(slow);
  if (kf.length !== ks.length || kf.some((k, i) => k !== ks[i])) return false;
  return kf.every((k) => keptNegativeZeros((fast as Record<string, unknown>)[k], (slow as Record<string, unknown>)[k]));
}

/**
 * The fast path must handle `e` and agree with msgpackr byte for byte (so also on decode); with
 * a -0 in it, it must decode to exactly `e` (msgpackr would give 0 back).
 */
function agrees(e: PendingWrite): void {
  const fast = packWrite(e);
  expect(fast).toBeDefined();
  const decoded = packr.unpack(fast!);
  if (hasNegativeZero(e)) {
    // msgpackr gives 0 back where `e` has -0; the fast path gives -0 back, and agrees elsewhere.
    expect(keptNegativeZeros(decoded, packr.unpack(packr.pack(e)))).toBe(true);
    // (Lone surrogates in keys can make two keys one on decode, and drop the -0 with the other.)
    if (!hasLoneSurrogate(e)) expect(hasNegativeZero(decoded)).toBe(true);
    return;
  }
  const slow = Buffer.from(packr.pack(e));
  expect(same(decoded, packr.unpack(slow))).toBe(true);
  expect(Buffer.compare(fast!, slow)).toBe(0);
}

const entry = (values: Record<string, unknown> | undefined, key = 'k'): PendingWrite => ({
  operation: 'insert',
  rows: [{ key, values }],
  timestamp: 1_700_000_000_000,
  synced: 7,
});

const edgeNumbers = fc.constantFrom(
  0, -0, 1, -1, 31, 32, 127, 128, 255, 256, 65535, 65536, -32, -33, -128, -129, -32768, -32769,
  2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53, -(2 ** 53), 0.1, 1e300, -1e-300,
  Number.MIN_VALUE, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, Number.EPSILON,
);
const edgeStrings = fc.constantFrom('', 'é', '€', '😀', '\ud800', '\udc00', 'a\ud83d', '\ude00b', 'x'.repeat(31), '€'.repeat(31), 'y'.repeat(63) + '\ud800', 'é'.repeat(200));
// fast-check's string units never yield lone surrogates, and its sizes stay short: mix both in.
const unit = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('a', 'é', '€', '😀'),
);
const units = fc.oneof(fc.array(unit, { maxLength: 8 }), fc.array(unit, { minLength: 20, maxLength: 300 })).map((a) => a.join(''));
const text = fc.oneof(units, fc.string({ maxLength: 40 }), edgeStrings);
// Names msgpackr treats specially are left to it (tested below), so generated keys avoid them.
const name = text.filter((k) => k !== '__proto__' && k !== 'constructor' && k !== 'hasOwnProperty');

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.double(),
    fc.integer(),
    edgeNumbers,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 20 }),
    fc.dictionary(name, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 20 }),
  ),
}));

const writeEntry: fc.Arbitrary<PendingWrite> = fc.record(
  {
    operation: fc.constantFrom('insert', 'update', 'delete'),
    rows: fc.array(fc.record({ key: text, values: fc.option(fc.dictionary(name, fc.oneof(value, fc.constant(undefined))), { nil: undefined }) }), { maxLength: 5 }),
    timestamp: fc.oneof(fc.double(), edgeNumbers),
    synced: fc.nat(),
    spoolId: fc.option(text, { nil: undefined }),
  },
  { requiredKeys: ['operation', 'rows', 'timestamp', 'synced'] },
);

describe('packWrite', () => {
  it('writes exactly what msgpackr writes for arbitrary JSON-like write entries', () => {
    fc.assert(fc.property(writeEntry, agrees), { numRuns: 2000 });
  });

  it('keeps earlier results intact while later entries are written', () => {
    const es = Array.from({ length: 300 }, (_, i) => entry({ i, s: 'v'.repeat(i * 7) }, `k${i}`));
    const outs = es.map((e) => packWrite(e)!);
    es.forEach((e, i) => expect(Buffer.compare(outs[i]!, packr.pack(e))).toBe(0));
  });

  it('handles long strings (str16/str32), large maps and arrays, and an entry outgrowing its room', () => {
    agrees(entry({ s: 'x'.repeat(70_000) })); // 5-byte header from the start
    agrees(entry({ s: 'é'.repeat(40_000) })); // 3-byte header reserved, 80 000 bytes need 5
    agrees(entry({ s: '€'.repeat(31), t: '€'.repeat(255), u: '😀'.repeat(100) })); // header grows
    agrees(entry({ a: Array.from({ length: 16 }, (_, i) => i), b: Array.from({ length: 70_000 }, (_, i) => i - 35_000) }));
    agrees(entry(Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`c${i}`, i]))));
    agrees(entry(Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`c${i}`, i % 3 ? i : undefined])))); // also evicts cached keys
    const huge = entry({ s: 'q'.repeat(5_000_000) }); // its slab is dropped afterwards
    const hugeOut = packWrite(huge)!;
    agrees(entry({ after: 'huge' }));
    expect(Buffer.compare(hugeOut, packr.pack(huge))).toBe(0);
    agrees({ ...entry({ s: 'z'.repeat(300_000) }), rows: Array.from({ length: 3 }, (_, i) => ({ key: `${i}`, values: { s: 'w'.repeat(100_000 * i) } })) });
  });

  it('writes null-prototype objects as maps, as msgpackr does', () => {
    agrees(entry(Object.assign(Object.create(null), { a: 1, b: Object.assign(Object.create(null), { c: [] }) })));
  });

  it('encodes a 1000-row batch of workload-like records', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ key: `rec-${i}`, values: { id: `rec-${i}`, title: 't'.repeat(12 + (i % 7)), status: 'open', area: 'a', owner: 'o', note: 'n' } }));
    agrees({ operation: 'insert', rows, timestamp: Date.now(), synced: 123_456_789, spoolId: 'sp-1' });
  });
});

describe('packWrite falls back to msgpackr', () => {
  class Point {
    x = 1;
  }
  const odd: [string, unknown][] = [
    ['bigint', 10n ** 30n],
    ['Buffer', Buffer.from('ab')],
    ['Uint8Array', new Uint8Array([1, 2])],
    ['Date', new Date(0)],
    ['Map', new Map([['a', 1]])],
    ['Set', new Set([1])],
    ['class instance', new Point()],
    ['null-prototype object with a toJSON key', Object.assign(Object.create(null), { toJSON: () => 'j' })],
    ['object inheriting a plain object', Object.create({ inherited: 1 })],
    ['array subclass', new (class extends Array {})()],
    ['function', () => 1],
    ['an own "constructor" key', { constructor: 'x' }],
    ['an own "hasOwnProperty" key', { hasOwnProperty: 1 }],
    ['a nested bigint', [{ deep: [1n] }]],
  ];

  it.each(odd)('for a %s, giving the bytes of before', (_, v) => {
    const e = entry({ v });
    expect(packWrite(e)).toBeUndefined();
    expect(Buffer.compare(encodeEntry(e, false), packr.pack(e))).toBe(0);
  });

  it('for a `__proto__` key, which encodeEntry still refuses when verifying', () => {
    const e = entry(JSON.parse('{"__proto__": 1}'));
    expect(packWrite(e)).toBeUndefined();
    expect(() => encodeEntry(e)).toThrow(expect.objectContaining({ code: 'INVALID_RECORD' }));
  });

  it('for symbols and cycles, which still fail as INVALID_RECORD', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const v of [Symbol('s'), cyclic]) {
      expect(packWrite(entry({ v }))).toBeUndefined();
      expect(() => encodeEntry(entry({ v }), false)).toThrow(expect.objectContaining({ code: 'INVALID_RECORD' }));
    }
    agrees(entry({ after: 'a fallback leaves the encoder usable' }));
  });

  it('while Object.prototype has an enumerable property (msgpackr filters inherited keys)', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 1;
    try {
      expect(packWrite(entry({ a: 1 }))).toBeUndefined();
    } finally {
      delete proto.polluted;
    }
    agrees(entry({ a: 1 }));
  });

  it('for SEAL and PAD entries (encodeEntry never sends them here)', () => {
    expect(Buffer.compare(encodeEntry({ seal: 3 }), packr.pack({ seal: 3 }))).toBe(0);
    expect(Buffer.compare(encodeEntry({ pad: true }), packr.pack({ pad: true }))).toBe(0);
  });
});
