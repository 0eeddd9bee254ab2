// The writer profile: exact output, tables, numbers, quoting, errors, and round trips (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SdnStringifyError, formatScalar, formatTableHeader, formatTableRow, parse, stringify,
} from '../../src/sdn/index.js';

describe('stringify', () => {
  it('writes the conservative profile', () => {
    const out = stringify({
      name: 'x', n: 1, f: 0.5, ok: true, none: null, empty: '',
      server: { host: 'localhost', port: 8080, deep: { a: [1, 'b'] } },
      todos: [{ id: 1, title: 'A, "b"' }, { id: 2, title: '' }],
      mixed: [{ a: 1 }, { b: [1] }], list: [], dict: {}, 'odd key': 1,
    });
    expect(out).toBe(
      'name: "x"\nn: 1\nf: 0.5\nok: true\nnone: null\nempty: ""\n' +
      'server:\n    host: "localhost"\n    port: 8080\n    deep:\n        a = [1, "b"]\n' +
      'todos |id, title|\n    1, "A, \\"b\\""\n    2, ""\n' +
      'mixed:\n    {a: 1}\n    {b: [1]}\n' +
      'list = []\ndict = {}\n"odd key": 1\n',
    );
  });

  it('writes numbers as plain decimals, never an exponent', () => {
    expect(formatScalar(1e-10)).toBe('0.0000000001');
    expect(formatScalar(1e21)).toBe('1000000000000000000000.0');
    expect(formatScalar(-1.5e-7)).toBe('-0.00000015');
    expect(formatScalar(2 ** 53)).toBe('9007199254740992.0');
    expect(formatScalar(-0)).toBe('-0.0');
    expect(formatScalar(123.456)).toBe('123.456');
    expect(parse(stringify({ a: 5e-324, b: 1.7976931348623157e308 }))).toEqual({ a: 5e-324, b: 1.7976931348623157e308 });
  });

  it('escapes only quotes, backslashes, \\n, \\t and \\r; other control characters go in raw and read back', () => {
    expect(formatScalar('a"b\\c\nd\te\rf\u0001\u007f')).toBe('"a\\"b\\\\c\\nd\\te\\rf\u0001\u007f"');
    const s = 'ctrl\u0001char esc\u001b[0m \u0008\u000c \u0000 \u000b \u007f 😀';
    const text = stringify({ s, t: [{ k: s }], a: [s], o: { [`k${s}`]: s } });
    expect(text).not.toMatch(/\\u/);
    expect(text).toContain('"ctrl\u0001char esc\u001b[0m \u0008\u000c \u0000 \u000b \u007f 😀"');
    expect(parse(text)).toEqual({ s, t: [{ k: s }], a: [s], o: { [`k${s}`]: s } });
  });

  it('refuses a lone surrogate with SDN_STRINGIFY (it has no UTF-8 form)', () => {
    for (const bad of [{ s: 'a\ud800' }, { s: ['\udc00'] }, { t: [{ id: 1, v: 'x\udbff' }] }, { ['k\ud800']: 1 }, { o: { ['\ude00']: 1 } }]) {
      expect(() => stringify(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'SDN_STRINGIFY', message: expect.stringContaining('lone UTF-16 surrogate') }));
    }
    expect(() => formatScalar('\ud800x😀')).toThrow(SdnStringifyError);
    expect(formatScalar('x😀')).toBe('"x😀"'); // a well-formed pair is written as it is
  });

  it('refuses what it cannot write with typed errors', () => {
    for (const bad of [{ a: NaN }, { a: Infinity }, { a: [-Infinity] }]) {
      expect(() => stringify(bad)).toThrow(SdnStringifyError);
    }
    for (const top of [[1], 'x', 1, null]) {
      expect(() => stringify(top)).toThrow(/expects an object/);
    }
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => stringify(loop)).toThrow(/circular/);
    try {
      stringify({ a: NaN });
    } catch (e) {
      expect((e as SdnStringifyError).code).toBe('SDN_STRINGIFY');
    }
  });

  it('follows JSON for undefined, functions and toJSON', () => {
    const d = new Date(0);
    expect(parse(stringify({ u: undefined, f: () => 1, d, arr: [undefined, 1] }))).toEqual({ d: d.toJSON(), arr: [null, 1] });
    expect(stringify({})).toBe('');
  });

  it('formats table pieces for streaming writers', () => {
    expect(formatTableHeader('todos', ['id', 'two words'])).toBe('todos |id, "two words"|');
    expect(formatTableRow(['a', 1, null, true, [1, 'x']])).toBe('    "a", 1, null, true, [1, "x"]');
    expect(formatTableRow([1], '')).toBe('1');
    const text = `${formatTableHeader('t', ['a', 'b'])}\n${formatTableRow(['x, y', 2.5])}\n`;
    expect(parse(text)).toEqual({ t: [{ a: 'x, y', b: 2.5 }] });
  });
});

// JSON-like values with the strings that trip writers up.
const tricky = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', 'true', 'false', 'null', 'nil', '2.1.0', '007', '1e5', ' lead', 'trail ', 'a, b', '# x', 'a #b', '"', '\\', '\n', '[x]', '{y}', '- z', 'k: v', '|', 'table{i32}', '\u0000', '\u2028'),
);
const key = fc.oneof(fc.string(), fc.constantFrom('a', 'b_c', 'true', 'x y', '', '1a', 'a.b', '__proto__', 'table', '-', '#', '[s]'));
const scalar = fc.oneof(tricky, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, tie('array'), tie('object'), tie('table')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  table: fc.tuple(fc.uniqueArray(key, { minLength: 1, maxLength: 4 }), fc.array(fc.array(scalar, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 4 }))
    .map(([cols, rows]) => rows.map((r) => Object.fromEntries(cols.map((c, i) => [c, r[i]])))),
}));
const doc = fc.dictionary(key, value, { maxKeys: 6 });

describe('properties', () => {
  it('parse(stringify(v)) deep-equals v', () => {
    fc.assert(fc.property(doc, (v) => {
      expect(parse(stringify(v))).toEqual(v);
    }), { numRuns: 500 });
  });
  it('stringify is stable', () => {
    fc.assert(fc.property(doc, (v) => {
      const s = stringify(v);
      expect(stringify(parse(s))).toBe(s);
    }), { numRuns: 300 });
  });
});
