/** Log entries: msgpackr round trips, value behaviour, control entries, typed decode errors. */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { SdnwalError } from '../../src/errors.js';
import {
  EntryDecodeError,
  MIN_PAD_PAYLOAD_BYTES,
  type PendingWrite,
  decodeEntry,
  encodeEntry,
  encodePadPayload,
  isPad,
  isSeal,
  isWrite,
  pendingWriteSchema,
} from '../../src/wal/entry.js';

const write = (values: Record<string, unknown>, extra: Partial<PendingWrite> = {}): PendingWrite => ({
  operation: 'insert',
  rows: [{ key: 'k1', values }],
  timestamp: 1_700_000_000_000,
  synced: 0,
  ...extra,
});

describe('encodeEntry / decodeEntry', () => {
  it('round-trips writes of every operation, with and without spoolId', () => {
    for (const operation of ['insert', 'update', 'delete'] as const) {
      const e: PendingWrite = { operation, rows: [{ key: 'a', values: { n: 1 } }, { key: 'b' }], timestamp: 5, synced: 123 };
      expect(decodeEntry(encodeEntry(e))).toEqual(e);
      const s = { ...e, spoolId: '1700000000000-42-1' };
      expect(decodeEntry(encodeEntry(s))).toEqual(s);
    }
  });

  it('round-trips arbitrary JSON-like values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), fc.nat(), (values, key, synced) => {
        const e: PendingWrite = { operation: 'update', rows: [{ key, values }], timestamp: 1, synced };
        // A `__proto__` key is refused (see the test below); the generator makes some.
        if (JSON.stringify(e).includes('"__proto__":')) return;
        // -0 too: the write encoder writes it as a float64 (msgpackr alone would give 0 back).
        expect(decodeEntry(encodeEntry(e))).toEqual(e);
      }),
    );
  });

  it('keeps Date, bigint, null, nested objects and arrays', () => {
    const values = {
      when: new Date(1_700_000_000_123),
      small: 5n,
      huge: -(2n ** 90n),
      nothing: null,
      nested: { a: [1, { b: [true, 'x', null] }], c: {} },
      float: 1.5,
      nan: Number.NaN,
    };
    const back = decodeEntry(encodeEntry(write(values)));
    if (!isWrite(back)) throw new Error('not a write');
    const v = back.rows[0]!.values!;
    expect(v.when).toBeInstanceOf(Date);
    expect((v.when as Date).getTime()).toBe(1_700_000_000_123);
    expect(v.small).toBe(5n);
    expect(v.huge).toBe(-(2n ** 90n));
    expect(v.nothing).toBeNull();
    expect(v.nested).toEqual(values.nested);
    expect(v.float).toBe(1.5);
    expect(v.nan).toBeNaN();
  });

  it('omits object properties that are undefined (as JSON does) but keeps undefined in arrays', () => {
    const back = decodeEntry(encodeEntry(write({ gone: undefined, keep: 1, inner: { gone: undefined }, arr: [undefined, 2] })));
    if (!isWrite(back)) throw new Error('not a write');
    const v = back.rows[0]!.values!;
    expect(Object.keys(v).sort()).toEqual(['arr', 'inner', 'keep']);
    expect(v.inner).toEqual({});
    expect(v.arr).toEqual([undefined, 2]);
    // An absent `values` and an undefined spoolId are omitted too.
    const bare = decodeEntry(encodeEntry({ operation: 'delete', rows: [{ key: 'x', values: undefined }], timestamp: 0, synced: 0, spoolId: undefined }));
    expect(bare).toEqual({ operation: 'delete', rows: [{ key: 'x' }], timestamp: 0, synced: 0 });
    expect('spoolId' in bare).toBe(false);
  });

  it('turns a Map with string keys into a plain object and refuses one with object keys', () => {
    const back = decodeEntry(encodeEntry(write({ m: new Map([['a', 1]]) })));
    expect(isWrite(back) && back.rows[0]!.values!.m).toEqual({ a: 1 });
    const err = catchErr(() => encodeEntry(write({ m: new Map([[{ a: 1 }, 2]]) })));
    expect(err).toBeInstanceOf(SdnwalError);
    expect((err as SdnwalError).code).toBe('INVALID_RECORD');
  });

  it('turns Set into an array, a class instance into a plain object, a function into undefined', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      get sum(): number {
        return this.x + this.y;
      }
    }
    const back = decodeEntry(encodeEntry(write({ set: new Set([1, 2]), point: new Point(1, 2), fn: () => 1, typed: new Uint16Array([1]) })));
    if (!isWrite(back)) throw new Error('not a write');
    const v = back.rows[0]!.values!;
    expect(v.set).toEqual([1, 2]);
    expect(v.point).toEqual({ x: 1, y: 2 });
    expect(Object.getPrototypeOf(v.point)).toBe(Object.prototype);
    expect(v.fn).toBeUndefined();
    expect(v.typed).toBeInstanceOf(Uint8Array);
  });

  it('refuses values msgpack cannot write (symbols, cycles) with INVALID_RECORD', () => {
    const err = catchErr(() => encodeEntry(write({ s: Symbol('x') })));
    expect((err as SdnwalError).code).toBe('INVALID_RECORD');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect((catchErr(() => encodeEntry(write({ cyclic }))) as SdnwalError).code).toBe('INVALID_RECORD');
  });

  it('refuses a property named __proto__ at any depth, but not a value "__proto__"', () => {
    for (const values of [JSON.parse('{"__proto__": 1}'), { a: [JSON.parse('{"__proto__": {"x": 1}}')] }, { m: new Map([['__proto__', 1]]) }]) {
      expect((catchErr(() => encodeEntry(write(values))) as SdnwalError).code).toBe('INVALID_RECORD');
    }
    const ok = decodeEntry(encodeEntry(write({ s: '__proto__', __proto_: 1 })));
    expect(isWrite(ok) && ok.rows[0]!.values).toEqual({ s: '__proto__', __proto_: 1 });
  });

  it('refuses a malformed write before it reaches the log', () => {
    const bad = { operation: 'upsert', rows: [], timestamp: 0, synced: 0 } as unknown as PendingWrite;
    expect((catchErr(() => encodeEntry(bad)) as SdnwalError).code).toBe('INVALID_RECORD');
    const badSynced = { operation: 'insert', rows: [], timestamp: 0, synced: -1 } as PendingWrite;
    expect((catchErr(() => encodeEntry(badSynced)) as SdnwalError).code).toBe('INVALID_RECORD');
  });

  it('each payload decodes on its own (no shared record structures)', () => {
    const a = encodeEntry(write({ x: 1 }));
    const b = encodeEntry(write({ x: 2 }));
    // Decoding the second alone, first, and with a fresh unpacker all give the same entry.
    expect(decodeEntry(b)).toEqual(write({ x: 2 }));
    expect(new Packr({ useRecords: false }).unpack(b)).toEqual(write({ x: 2 }));
    expect(decodeEntry(a)).toEqual(write({ x: 1 }));
  });

  it('decoded binary values are copies, not views into the payload', () => {
    const payload = encodeEntry(write({ bin: Buffer.from([1, 2, 3]) }));
    const back = decodeEntry(payload);
    payload.fill(0);
    expect(isWrite(back) && Buffer.from(back.rows[0]!.values!.bin as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
  });
});

describe('control entries', () => {
  it('round-trips SEAL and PAD, told apart by the guards', () => {
    const seal = decodeEntry(encodeEntry({ seal: 9 }));
    expect(seal).toEqual({ seal: 9 });
    expect([isSeal(seal), isPad(seal), isWrite(seal)]).toEqual([true, false, false]);
    const pad = decodeEntry(encodeEntry({ pad: true }));
    expect(pad).toEqual({ pad: true });
    expect([isSeal(pad), isPad(pad), isWrite(pad)]).toEqual([false, true, false]);
    const w = decodeEntry(encodeEntry(write({})));
    expect([isSeal(w), isPad(w), isWrite(w)]).toEqual([false, false, true]);
  });

  it('encodePadPayload gives a PAD of every exact length', () => {
    const lengths = [...Array.from({ length: 400 }, (_, i) => i + MIN_PAD_PAYLOAD_BYTES), 65_535, 65_536, 65_540, 70_000, 1 << 20];
    for (const n of lengths) {
      const p = encodePadPayload(n);
      expect(p.length).toBe(n);
      expect(decodeEntry(p)).toEqual({ pad: true });
    }
    expect(() => encodePadPayload(MIN_PAD_PAYLOAD_BYTES - 1)).toThrow(TypeError);
  });
});

describe('decodeEntry on CRC-valid garbage', () => {
  const cases: [string, Uint8Array][] = [
    ['truncated msgpack', encodeEntry(write({ a: 'long enough string' })).subarray(0, 10)],
    ['trailing bytes', Buffer.concat([encodeEntry({ seal: 1 }), Buffer.from([0])])],
    ['not a map', new Packr({ useRecords: false }).pack([1, 2, 3])],
    ['a number', new Packr({ useRecords: false }).pack(42)],
    ['unknown operation', new Packr({ useRecords: false }).pack({ operation: 'x', rows: [], timestamp: 0, synced: 0 })],
    ['missing synced', new Packr({ useRecords: false }).pack({ operation: 'insert', rows: [], timestamp: 0 })],
    ['row key not a string', new Packr({ useRecords: false }).pack({ operation: 'insert', rows: [{ key: 1 }], timestamp: 0, synced: 0 })],
    ['seal not a number', new Packr({ useRecords: false }).pack({ seal: 'x' })],
    ['pad not true', new Packr({ useRecords: false }).pack({ pad: 1 })],
    ['reserved byte 0xc1', Buffer.from([0xc1])],
  ];
  for (const [name, bytes] of cases) {
    it(`throws EntryDecodeError (CORRUPT_LOG): ${name}`, () => {
      const err = catchErr(() => decodeEntry(bytes));
      expect(err).toBeInstanceOf(EntryDecodeError);
      expect((err as EntryDecodeError).code).toBe('CORRUPT_LOG');
    });
  }

  it('pendingWriteSchema accepts a write and rejects a negative synced', () => {
    expect(pendingWriteSchema.safeParse(write({ a: 1 })).success).toBe(true);
    expect(pendingWriteSchema.safeParse({ ...write({}), synced: -5 }).success).toBe(false);
  });
});

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
