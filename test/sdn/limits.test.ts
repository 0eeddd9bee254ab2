// One nesting limit (MAX_DEPTH) for the reader and the writer, counted the same way however a
// collection is written: everything stringify writes, parse reads back, and stringify refuses
// (SDN_STRINGIFY) exactly what parse would refuse (SDN_PARSE).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_DEPTH, SdnParseError, SdnStringifyError, formatInline, formatTableRow, parse, stringify,
} from '../../src/sdn/index.js';

/** How many collections deep `v` is: a scalar 0, `[]` and `[1]` 1, `[[1]]` 2. */
function depth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let max = 0;
  for (const k of Array.isArray(v) ? v : Object.values(v)) max = Math.max(max, depth(k));
  return 1 + max;
}

/** The nesting level of the deepest collection in a document (the document itself is level 0). */
function levels(doc: unknown): number {
  return depth(doc) - 1;
}

const open = (n: number): string => '['.repeat(n);
const close = (n: number): string => ']'.repeat(n);

/** Documents whose deepest collection is at level n, one per way of writing nesting. */
const layouts: Record<string, (n: number) => string> = {
  'inline brackets': (n) => `a = ${open(n)}${close(n)}\n`,
  'inline dicts and tuples': (n) => `a: ${'{k: ('.repeat(n >> 1)}${n % 2 ? '[1]' : '1'}${')}'.repeat(n >> 1)}\n`,
  'dict blocks': (n) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:\n`).join('') + `${' '.repeat(n)}x: 1\n`,
  'dash items': (n) => `a:\n    ${'- '.repeat(n)}x\n`,
  // Each `- k:` is a list and a dict; the last `k:` holds a dict block (`x: 1`) or a list (`x = [1]`).
  'dash items holding dicts': (n) => {
    const m = (n - 1) >> 1;
    const items = Array.from({ length: m }, (_, i) => `${' '.repeat(4 + 4 * i)}- k:\n`).join('');
    return `a:\n${items}${' '.repeat(4 + 4 * m)}${n % 2 ? 'x: 1' : 'x = [1]'}\n`;
  },
  'blocks, then brackets': (n) => 'a:\n    b:\n        c = ' + `${open(n - 2)}${close(n - 2)}\n`,
  'a table row (table 1, row 2, cell 3..n)': (n) => `t |id, v|\n    1, ${open(n - 2)}${close(n - 2)}\n`,
  'a one-row table': (n) => `t |v| ${open(n - 2)}${close(n - 2)}\n`,
  'a table in blocks': (n) => `a:\n    b:\n        t |v|\n            ${open(n - 4)}${close(n - 4)}\n`,
  'a typed table': (n) => `t: table{i32, any}\n    1, ${open(n - 2)}${close(n - 2)}\n`,
  'an inline typed table': (n) => `t: table{any} = [(${open(n - 2)}${close(n - 2)})]\n`,
  'a section': (n) => `[s]\na = ${open(n - 1)}${close(n - 1)}\n`,
};

describe('MAX_DEPTH: the parser', () => {
  it('is 500', () => {
    expect(MAX_DEPTH).toBe(500);
  });

  for (const [name, layout] of Object.entries(layouts)) {
    it(`reads ${name} exactly MAX_DEPTH levels deep and refuses one level more`, () => {
      expect(levels(parse(layout(10)))).toBe(10);
      expect(levels(parse(layout(11)))).toBe(11);
      expect(levels(parse(layout(MAX_DEPTH)))).toBe(MAX_DEPTH);
      let err: unknown;
      try {
        parse(layout(MAX_DEPTH + 1));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SdnParseError);
      expect((err as SdnParseError).reason).toBe('nesting too deep (more than 500 levels)');
    });
  }

  it('refuses very deep text with a parse error, not a stack overflow', () => {
    expect(() => parse(`a = ${open(100_000)}`)).toThrow(/nesting too deep/);
    expect(() => parse(`t |v|\n    ${open(100_000)}\n`)).toThrow(/nesting too deep/);
  });
});

/** `n` arrays around 1. */
function nest(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

type Kind = 'array' | 'pair' | 'dict' | 'dicts';

/** A value nesting in the given ways from the outside in (`dicts` is two levels: a list of dicts), ending in a table (two levels) or a scalar. */
function build(kinds: Kind[], table: boolean): unknown {
  let v: unknown = table ? [{ a: 1, b: 'x' }, { a: 2, b: 'y' }] : 'leaf';
  for (let i = kinds.length - 1; i >= 0; i--) {
    const k = kinds[i]!;
    v = k === 'array' ? [v] : k === 'pair' ? [1, v] : k === 'dict' ? { k: v } : [{ a: v }, { a: 2 }];
  }
  return v;
}

describe('MAX_DEPTH: the writer', () => {
  it('writes every value up to MAX_DEPTH levels, and parse gives it back', () => {
    const deepest = [nest(MAX_DEPTH), build(Array(MAX_DEPTH).fill('dict'), false), build(Array(MAX_DEPTH - 2).fill('dict'), true),
      build(Array(MAX_DEPTH / 2 - 1).fill('dicts'), true), build(Array(MAX_DEPTH / 2).fill('dicts'), false)];
    for (const v of deepest) {
      const doc = { v };
      expect(levels(doc)).toBe(MAX_DEPTH);
      expect(parse(stringify(doc))).toEqual(doc);
    }
  });

  it('refuses a value the parser would refuse with SdnStringifyError (SDN_STRINGIFY) instead of writing it', () => {
    const tooDeep = [nest(MAX_DEPTH + 1), build(Array(MAX_DEPTH + 1).fill('dict'), false), build(Array(MAX_DEPTH - 1).fill('dict'), true),
      build(['array', ...Array(MAX_DEPTH / 2 - 1).fill('dicts')], true), build(['array', ...Array(MAX_DEPTH / 2).fill('dicts')], false)];
    for (const v of tooDeep) expect(levels({ v })).toBe(MAX_DEPTH + 1);
    tooDeep.push(nest(100_000)); // a typed error, not a stack overflow
    for (const v of tooDeep) {
      let err: unknown;
      try {
        stringify({ v });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SdnStringifyError);
      expect(err).toMatchObject({ code: 'SDN_STRINGIFY', message: expect.stringContaining('nesting too deep (more than 500 levels)') });
    }
  });

  it('writes exactly what the parser reads, however the nesting is laid out (property)', () => {
    const kind = fc.constantFrom<Kind>('array', 'pair', 'dict', 'dicts');
    fc.assert(
      fc.property(fc.array(kind, { minLength: MAX_DEPTH - 6, maxLength: MAX_DEPTH + 2 }), fc.boolean(), (kinds, table) => {
        const doc = { v: build(kinds, table) };
        let text: string | undefined;
        try {
          text = stringify(doc);
        } catch (e) {
          expect(e).toBeInstanceOf(SdnStringifyError);
        }
        expect(text !== undefined).toBe(levels(doc) <= MAX_DEPTH);
        if (text !== undefined) expect(parse(text)).toEqual(doc);
      }),
      { numRuns: 150 },
    );
  });

  it('formatInline and formatTableRow count from where the value is written', () => {
    expect(parse(`a = ${formatInline(nest(MAX_DEPTH))}\n`)).toEqual({ a: nest(MAX_DEPTH) });
    expect(() => formatInline(nest(MAX_DEPTH + 1))).toThrow(SdnStringifyError);
    expect(parse(`t |v|\n${formatTableRow([nest(MAX_DEPTH - 2)])}\n`)).toEqual({ t: [{ v: nest(MAX_DEPTH - 2) }] });
    expect(() => formatTableRow([nest(MAX_DEPTH - 1)])).toThrow(SdnStringifyError);
    expect(() => formatInline(nest(MAX_DEPTH - 2), new Set(), 3)).not.toThrow();
    expect(() => formatInline(nest(MAX_DEPTH - 1), new Set(), 3)).toThrow(SdnStringifyError);
  });

  it('still reports a cycle as a cycle', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(() => stringify({ a })).toThrow(/circular/);
    const o: Record<string, unknown> = {};
    o.self = o;
    expect(() => stringify({ o })).toThrow(/circular/);
  });
});

describe('lone surrogates in stringify', () => {
  it('are refused with SDN_STRINGIFY: no UTF-8 form, and no escape every reader decodes (never written as U+FFFD)', () => {
    const cases: unknown[] = [
      { s: 'a\uD800' }, { low: '\uDC00' }, { swapped: '\uDE00\uD83D' }, { 'key \uD800': 1 }, { k: ['x\uDBFF'] },
      { k: [{ '\uDC00': 'ok 😀' }] }, { t: [{ id: 'a\uD800', n: 1 }, { id: 'a\uDC00', n: 2 }] },
    ];
    for (const doc of cases) expect(() => stringify(doc), JSON.stringify(doc)).toThrow(/lone UTF-16 surrogate/);
    // A well-formed pair is no lone surrogate.
    expect(parse(stringify({ s: 'ok 😀', '😀': ['😀'] }))).toEqual({ s: 'ok 😀', '😀': ['😀'] });
  });
});
