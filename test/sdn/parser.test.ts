// Block structure, CST spans, and robustness: any input either parses or throws SdnParseError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SdnParseError } from '../../src/errors.js';
import { parse } from '../../src/sdn/index.js';
import { parseText } from '../../src/sdn/parser.js';

describe('parser', () => {
  it('skips a byte order mark', () => {
    expect(parse('\uFEFFa: 1\n')).toEqual({ a: 1 });
  });

  it('refuses nesting deeper than its limit with a parse error, not a stack overflow', () => {
    expect(() => parse('a = ' + '['.repeat(10_000))).toThrow(/nesting too deep/);
    const deep = Array.from({ length: 600 }, (_, i) => ' '.repeat(i) + `k${i}:`).join('\n') + '\n' + ' '.repeat(600) + 'x: 1\n';
    expect(() => parse(deep)).toThrow(SdnParseError);
  });

  it('records entry, item and row spans in the CST', () => {
    const text = 'a: 1  # c\nb:\n    - x\n    - y\nt |k|\n    1\n    2\n';
    const cst = parseText(text, true).cst!;
    const [a, b, t] = cst.entries;
    expect(text.slice(a.start, a.end)).toBe('a: 1  # c\n');
    expect(a.node).toMatchObject({ kind: 'scalar', form: 'value' });
    if (a.node.kind === 'scalar') expect(text.slice(a.node.start, a.node.end)).toBe('1');
    expect(text.slice(b.start, b.end)).toBe('b:\n    - x\n    - y\n');
    if (b.node.kind !== 'seq') throw new Error('expected a seq');
    expect(b.node.items.map((i) => text.slice(i.start, i.end))).toEqual(['    - x\n', '    - y\n']);
    if (t.node.kind !== 'table') throw new Error('expected a table');
    expect(t.node.rows.map((r) => text.slice(r.start, r.end))).toEqual(['    1\n', '    2\n']);
    expect(t.node.rowIndent).toBe(4);
  });

  it('reports the line and column of a bad row in a large table', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `    ${i}, x`);
    rows[700] = '    700';
    try {
      parse('t |a, b|\n' + rows.join('\n'));
      expect.unreachable();
    } catch (e) {
      expect((e as SdnParseError).line).toBe(702);
      expect((e as SdnParseError).reason).toBe('row has 1 cells but the table has 2 columns');
    }
  });

  it('property: any text parses to an object or throws SdnParseError, never anything else', () => {
    const piece = fc.constantFrom('a', 'b:', ' ', '  ', '    ', '\n', '\r\n', '\t', '"', '\\', '[', ']', '{', '}', '(', ')', ',', '#', '|', '-', '- ', '=', ':', '1', '1.5', 'table{i32}', 'x y', '[s]');
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }).map((p) => p.join('')), (text) => {
      try {
        expect(typeof parse(text)).toBe('object');
      } catch (e) {
        expect(e).toBeInstanceOf(SdnParseError);
      }
    }), { numRuns: 3000 });
  });
});
