// The compactor's msgpack-to-line reader (src/compaction/insert-lines.ts): for every plain insert its
// lines are formatRow's bytes for the decoded rows, and everything else is declined untouched.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { formatRow } from '../../src/snapshot/format.js';
import { InsertLines } from '../../src/compaction/insert-lines.js';
import { decodeEntry, encodeEntry, type PendingWrite } from '../../src/wal/entry.js';

const COLUMNS = ['id', 'name', 'n', 'ok'];

/** Each line `read` produced, as text. */
function lines(r: InsertLines, n: number): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < n; i++) {
    out.push(r.lines.toString('utf8', from, r.ends[i]));
    from = r.ends[i]!;
  }
  return out;
}

/** What the reader must give for `payload`: the decoded rows' keys and formatRow lines. */
function expected(payload: Buffer, columns: string[]): { keys: string[]; lines: string[] } {
  const w = decodeEntry(payload) as PendingWrite;
  return { keys: w.rows.map((r) => r.key), lines: w.rows.map((r) => formatRow(r.values!, columns)) };
}

function check(payload: Buffer, columns = COLUMNS): void {
  const r = new InsertLines(columns, 'id');
  const n = r.read(payload);
  expect(n).toBe((decodeEntry(payload) as PendingWrite).rows.length);
  expect({ keys: [...r.keys], lines: lines(r, n) }).toEqual(expected(payload, columns));
}

const insert = (rows: PendingWrite['rows'], extra: Partial<PendingWrite> = {}): PendingWrite => ({ operation: 'insert', rows, timestamp: 1.5, synced: 7, ...extra });
const plainPackr = new Packr({ useRecords: false } as ConstructorParameters<typeof Packr>[0]);

const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }), // lone surrogates too
  fc.constantFrom('', '"', '\\', '\n\t\r', 'a, b', 'nil', '\u007f', '\u0000', 'ctrl\u0001\u001b[0m\u0008\u000c', 'x'.repeat(300), 'é'.repeat(40_000)),
);
const cell = fc.oneof(
  text,
  fc.integer(),
  fc.integer({ min: -200, max: 300 }),
  // Numbers a line reads back exactly (an integer beyond 2^53 is declined: see below).
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => Number.isSafeInteger(x) || !Number.isInteger(x)),
  fc.constantFrom(2 ** 40, -(2 ** 40), 0.1, -0, 1e-7, 2 ** 53 - 1, 1.5e-300),
  fc.boolean(),
  fc.constant(null),
);

describe('InsertLines', () => {
  it("gives formatRow's line for every plain row, in any key order and with columns left out", () => {
    const row = fc.record({ id: fc.oneof(text, fc.integer(), fc.boolean()), name: cell, n: cell, ok: cell }, { requiredKeys: ['id'] });
    fc.assert(
      fc.property(fc.array(fc.tuple(text, row, fc.boolean()), { maxLength: 20 }), fc.option(text, { nil: undefined }), (rows, spoolId) => {
        const w = insert(rows.map(([key, values, reversed]) => ({ key, values: reversed ? Object.fromEntries(Object.entries(values).reverse()) : values })), spoolId === undefined ? {} : { spoolId });
        check(Buffer.from(encodeEntry(w)));
      }),
      { numRuns: 300 },
    );
  });

  it('reads the longer msgpack headers (map16, str8/16/32 keys and values, int and float widths)', () => {
    const columns = Array.from({ length: 20 }, (_, i) => (i === 0 ? 'id' : `c${i}`.padEnd(i * 3, 'x'))); // names up to 57 bytes: str8
    const values: Record<string, unknown> = { id: 'k' };
    columns.slice(1).forEach((c, i) => (values[c] = [255, 65_535, -129, -32_769, 2 ** 31, 'y'.repeat(70_000), 'z'.repeat(300), 0.5][i % 8]));
    check(Buffer.from(plainPackr.pack(insert([{ key: 'k', values }, { key: 'é', values: { ...values, id: 'é' } }]))), columns);
  });

  it('accepts the entry keys after `operation` in any order', () => {
    const e = { operation: 'insert', synced: 0, spoolId: 's', timestamp: -3, rows: [{ values: { id: 'a' }, key: 'a' }] };
    check(Buffer.from(plainPackr.pack(e)));
  });

  const declined: [string, unknown][] = [
    ['an update', { operation: 'update', rows: [{ key: 'a', values: { id: 'a' } }], timestamp: 0, synced: 0 }],
    ['a delete', { operation: 'delete', rows: [{ key: 'a' }], timestamp: 0, synced: 0 }],
    ['`operation` not first', { timestamp: 0, operation: 'insert', rows: [], synced: 0 }],
    ['an unknown entry key', { operation: 'insert', rows: [], timestamp: 0, synced: 0, extra: 1 }],
    ['a missing `synced`', { operation: 'insert', rows: [], timestamp: 0 }],
    ['a negative `synced`', { operation: 'insert', rows: [], timestamp: 0, synced: -1 }],
    ['a string timestamp', { operation: 'insert', rows: [], timestamp: 'now', synced: 0 }],
    ['a null spoolId', { operation: 'insert', rows: [], timestamp: 0, synced: 0, spoolId: null }],
    ['a row without values', { operation: 'insert', rows: [{ key: 'a' }], timestamp: 0, synced: 0 }],
    ['null values', { operation: 'insert', rows: [{ key: 'a', values: null }], timestamp: 0, synced: 0 }],
    ['a numeric row key', { operation: 'insert', rows: [{ key: 1, values: { id: 'a' } }], timestamp: 0, synced: 0 }],
    ['an extra row field', { operation: 'insert', rows: [{ key: 'a', values: { id: 'a' }, x: 1 }], timestamp: 0, synced: 0 }],
    ['an undeclared column', { operation: 'insert', rows: [{ key: 'a', values: { id: 'a', other: 1 } }], timestamp: 0, synced: 0 }],
    ['no key column', { operation: 'insert', rows: [{ key: 'a', values: { name: 'x' } }], timestamp: 0, synced: 0 }],
    ['a null key column', { operation: 'insert', rows: [{ key: 'a', values: { id: null } }], timestamp: 0, synced: 0 }],
    ['an array value', { operation: 'insert', rows: [{ key: 'a', values: { id: 'a', n: [1] } }], timestamp: 0, synced: 0 }],
    ['an object value', { operation: 'insert', rows: [{ key: 'a', values: { id: 'a', n: { x: 1 } } }], timestamp: 0, synced: 0 }],
    ['an integer beyond 2^53', { operation: 'insert', rows: [{ key: 'a', values: { id: 'a', n: 2 ** 60 } }], timestamp: 0, synced: 0 }],
    ['Infinity', { operation: 'insert', rows: [{ key: 'a', values: { id: 'a', n: Infinity } }], timestamp: 0, synced: 0 }],
    ['NaN', { operation: 'insert', rows: [{ key: 'a', values: { id: 'a', n: NaN } }], timestamp: 0, synced: 0 }],
    ['a bigint', { operation: 'insert', rows: [{ key: 'a', values: { id: 'a', n: 5n } }], timestamp: 0, synced: 0 }],
    ['a Date', { operation: 'insert', rows: [{ key: 'a', values: { id: 'a', n: new Date(0) } }], timestamp: 0, synced: 0 }],
    ['binary', { operation: 'insert', rows: [{ key: 'a', values: { id: 'a', n: Buffer.from([1]) } }], timestamp: 0, synced: 0 }],
    ['a SEAL', { seal: 3 }],
  ];
  for (const [what, entry] of declined) {
    it(`declines ${what}`, () => {
      const r = new InsertLines(COLUMNS, 'id');
      expect(r.read(Buffer.from(new Packr({ useRecords: false, useBigIntExtension: true } as ConstructorParameters<typeof Packr>[0]).pack(entry)))).toBe(-1);
    });
  }

  it('declines an unknown or duplicate column, a float32 and a payload with bytes after the entry', () => {
    const r = new InsertLines(COLUMNS, 'id');
    const good = Buffer.from(encodeEntry(insert([{ key: 'a', values: { id: 'a', n: 1 } }])));
    expect(r.read(good)).toBe(1);
    const unknown = Buffer.from(good);
    unknown[unknown.indexOf(Buffer.from([0xa1, 0x6e, 0x01])) + 1] = 0x69; // the column `n` renamed `i`: not declared
    expect(r.read(unknown)).toBe(-1);
    const twice = Buffer.from(plainPackr.pack(insert([{ key: 'a', values: { id: 'a' } }])).toString('latin1').replace('\xde\x00\x01\xa2id\xa1a', '\xde\x00\x02\xa2id\xa1a\xa2id\xa1a'), 'latin1');
    expect(() => decodeEntry(twice)).not.toThrow(); // msgpack allows it (the last wins) ...
    expect(r.read(twice)).toBe(-1); // ... but the reader leaves it to the decoder
    const f32 = Buffer.from(new Packr({ useRecords: false, useFloat32: 1 } as ConstructorParameters<typeof Packr>[0]).pack(insert([{ key: 'a', values: { id: 'a', n: 0.5 } }])));
    expect(f32.includes(0xca)).toBe(true);
    expect(r.read(f32)).toBe(-1);
    expect(r.read(Buffer.concat([good, Buffer.from([0xc0])]))).toBe(-1);
    expect(r.read(good.subarray(0, good.length - 1))).toBe(-1); // cut short
  });

  it('declines a repeated entry or row key (the decoder refuses such a payload: it must not be folded in)', () => {
    const r = new InsertLines(COLUMNS, 'id');
    // {operation, rows, timestamp, timestamp: "synced"}: the map header says 4, then one byte too many.
    const good = Buffer.from(plainPackr.pack({ operation: 'insert', rows: [{ key: 'k1', values: { id: 'k1' } }], timestamp: 1 }));
    expect(good.subarray(0, 3)).toEqual(Buffer.from([0xde, 0x00, 0x03])); // map16 of 3
    const twice = Buffer.concat([Buffer.from([0xde, 0x00, 0x04]), good.subarray(3), plainPackr.pack('timestamp'), plainPackr.pack('synced'), Buffer.from([0x00])]);
    expect(() => decodeEntry(twice)).toThrow(expect.objectContaining({ code: 'CORRUPT_LOG' }));
    expect(r.read(twice)).toBe(-1);
    const rowKeyTwice = Buffer.from(plainPackr.pack({ operation: 'insert', rows: [{ key: 'k1', key2: 'values', values: { id: 'k1' } }], timestamp: 1, synced: 0 }).toString('latin1').replace('\xa4key2', '\xa3key'), 'latin1');
    expect(r.read(rowKeyTwice)).toBe(-1);
  });

  it('is not used for a `__proto__` column or an undeclared key column', () => {
    expect(InsertLines.usable(['id', '__proto__'], 'id')).toBe(false);
    expect(InsertLines.usable(['a'], 'id')).toBe(false);
    expect(InsertLines.usable(['a', 'id'], 'id')).toBe(true);
  });
});
