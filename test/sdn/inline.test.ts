// Inline collections and line values.
import { describe, expect, it } from 'vitest';
import { readInline, readLineValue } from '../../src/sdn/inline.js';
import { Lexer } from '../../src/sdn/lexer.js';

const inline = (s: string) => readInline(new Lexer(s));
const line = (s: string) => readLineValue(new Lexer(s), true);

describe('inline values', () => {
  it('reads nested arrays, dicts and tuples with bare multi-word items', () => {
    expect(inline('[San Francisco, "a]b", [1, (2, 3)], {k: v w, "q": null}]')).toEqual(['San Francisco', 'a]b', [1, [2, 3]], { k: 'v w', q: null }]);
  });
  it('treats newlines and spaced # comments inside brackets as whitespace', () => {
    expect(inline('[\n  1, # one\n  a#b\n]')).toEqual([1, 'a#b']);
  });
  it('names the opening bracket when a closer is wrong or missing', () => {
    expect(() => inline('[1, 2}')).toThrow(/expected ',' or '\]' in the array opened at line 1, column 1/);
    expect(() => inline('{a: 1')).toThrow(/unclosed dict at line 1, column 1/);
    expect(() => inline('{a 1}')).toThrow(/expected ':' or '='/);
  });
  it('reads k="v" pairs only when the whole line fits the shape', () => {
    expect(line('hash="x", kind=data, n=3,')).toEqual({ hash: 'x', kind: 'data', n: 3 });
    expect(line('x=1 means more')).toBe('x=1 means more');
    expect(line('a="b"')).toBe('a="b"');
    expect(line('Acme Corp')).toBe('Acme Corp');
  });
});
