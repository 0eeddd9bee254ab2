import { describe, expect, it } from 'vitest';
import { toJsonText } from '../../../../src/cli/commands/sdn/json-out.js';

describe('toJsonText', () => {
  const samples: unknown[] = [
    null, true, 0, -1.5, 'a "q" \\ \n ü', [], {}, [1, [2, []], {}],
    { a: { b: [{ c: null }, 'x'] }, e: {}, '': '' },
  ];

  it.each(samples.map((s) => [JSON.stringify(s), s]))('matches JSON.stringify for %s, indented and compact', (_, v) => {
    expect(toJsonText(v, 2)).toBe(JSON.stringify(v, null, 2));
    expect(toJsonText(v, 0)).toBe(JSON.stringify(v));
  });

  it('writes a BigInt as an exact JSON number instead of throwing', () => {
    const v = { id: 123456789012345678901234567890n, list: [-(2n ** 64n)] };
    expect(toJsonText(v, 0)).toBe('{"id":123456789012345678901234567890,"list":[-18446744073709551616]}');
    expect(toJsonText(v, 2)).toBe('{\n  "id": 123456789012345678901234567890,\n  "list": [\n    -18446744073709551616\n  ]\n}');
  });

  it('leaves out undefined object members and writes non-finite numbers as null, as JSON.stringify does', () => {
    const v = { a: undefined, b: Number.NaN, c: [Infinity] };
    expect(toJsonText(v, 0)).toBe(JSON.stringify(v));
  });
});
