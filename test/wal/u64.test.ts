import { describe, expect, it } from 'vitest';
import { readU64, writeU64 } from '../../src/wal/u64.js';

describe('u64 fields as two u32 halves', () => {
  it('round-trips safe integers and writes the same bytes as the BigInt accessor', () => {
    for (const n of [0, 1, 0xffff_ffff, 0x1_0000_0000, 123_456_789_012, Number.MAX_SAFE_INTEGER]) {
      const a = Buffer.alloc(8);
      const b = Buffer.alloc(8);
      writeU64(a, n, 0);
      b.writeBigUInt64LE(BigInt(n), 0);
      expect(a).toEqual(b);
      expect(readU64(a, 0)).toBe(n);
    }
  });

  it('reads a value of 2^53 or more as undefined (not a safe integer)', () => {
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64LE(2n ** 53n, 0);
    expect(readU64(buf, 0)).toBeUndefined();
    buf.writeBigUInt64LE(2n ** 64n - 1n, 0);
    expect(readU64(buf, 0)).toBeUndefined();
  });
});
