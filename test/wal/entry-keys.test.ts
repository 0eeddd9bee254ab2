/** The key-only reader agrees with the full decoder: same operation and keys, or it declines. */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, isWrite, type PendingWrite } from '../../src/wal/entry.js';
import { readEntryKeys as readKeyRanges } from '../../src/wal/entry-keys.js';

/** The reader's answer with its key ranges made strings, for comparing with the full decoder. */
function readEntryKeys(payload: Buffer): { operation: string; keys: string[] } | undefined {
  const e = readKeyRanges(payload);
  if (!e) return undefined;
  return { operation: e.operation, keys: Array.from({ length: e.count }, (_, i) => payload.toString('utf8', e.starts[i], e.ends[i])) };
}

const packr = new Packr({ useRecords: false });
const name = fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__' && k !== 'constructor');
const { json } = fc.letrec((tie) => ({
  json: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 10 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('json'), { maxLength: 5 }), fc.dictionary(name, tie('json'), { maxKeys: 5 })),
}));
const values = fc.dictionary(name, json, { maxKeys: 6 });
const writeEntry: fc.Arbitrary<PendingWrite> = fc.record(
  {
    operation: fc.constantFrom('insert', 'update', 'delete'),
    rows: fc.array(fc.record({ key: fc.string({ maxLength: 20 }), values: fc.option(values, { nil: undefined }) }, { requiredKeys: ['key'] }), { maxLength: 6 }),
    timestamp: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(1_700_000_000_000)),
    synced: fc.nat(),
    spoolId: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  },
  { requiredKeys: ['operation', 'rows', 'timestamp', 'synced'] },
);

/** What the full decoder says: the operation and keys of a write, or null when it is not one (or throws). */
function decoded(payload: Buffer): { operation: string; keys: string[] } | null {
  try {
    const e = decodeEntry(payload);
    return isWrite(e) ? { operation: e.operation, keys: e.rows.map((r) => r.key) } : null;
  } catch {
    return null;
  }
}

describe('readEntryKeys', () => {
  it('reads the operation and row keys of any write the log encoder writes', () => {
    fc.assert(
      fc.property(writeEntry, (e) => {
        const payload = encodeEntry(JSON.parse(JSON.stringify(e)) as PendingWrite);
        const want = decoded(payload);
        fc.pre(want !== null); // JSON turned a non-finite timestamp into null
        expect(readEntryKeys(payload)).toEqual(want);
      }),
      { numRuns: 1500 },
    );
  });

  it('reads entries whose fields come in another order (msgpackr, another writer)', () => {
    fc.assert(
      fc.property(writeEntry, fc.boolean(), (e, reverse) => {
        const fields = Object.entries(JSON.parse(JSON.stringify(e)) as object);
        const payload = packr.pack(Object.fromEntries(reverse ? fields.reverse() : fields));
        const want = decoded(payload);
        fc.pre(want !== null);
        expect(readEntryKeys(payload)).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });

  it('never accepts what the full decoder refuses: damaged bytes give the same answer or a decline', () => {
    fc.assert(
      fc.property(writeEntry, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (e, flips, cut) => {
        const payload = Buffer.from(encodeEntry(JSON.parse(JSON.stringify(e)) as PendingWrite));
        for (const [at, byte] of flips) payload[at % payload.length] = byte;
        for (const p of [payload, payload.subarray(0, cut % (payload.length + 1))]) {
          const got = readEntryKeys(p);
          if (got !== undefined) expect(got).toEqual(decoded(p));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('declines SEAL and PAD entries, extra fields, duplicates and trailing bytes', () => {
    expect(readEntryKeys(encodeEntry({ seal: 3 }))).toBeUndefined();
    expect(readEntryKeys(encodeEntry({ pad: true }))).toBeUndefined();
    const w = { operation: 'insert', rows: [{ key: 'a' }], timestamp: 1, synced: 0 };
    expect(readEntryKeys(packr.pack({ ...w, extra: 1 }))).toBeUndefined();
    expect(readEntryKeys(Buffer.concat([packr.pack(w), Buffer.from([0])]))).toBeUndefined();
    expect(readEntryKeys(packr.pack({ ...w, rows: [{ key: 'a', values: [1] }] }))).toBeUndefined();
    expect(readEntryKeys(packr.pack({ ...w, synced: -1 }))).toBeUndefined();
    expect(readEntryKeys(packr.pack(w))).toEqual({ operation: 'insert', keys: ['a'] });
  });
});
