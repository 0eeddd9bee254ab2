// The character-level scanner: quoted strings, bare runs, keys, line ends.
import { describe, expect, it } from 'vitest';
import { Lexer, STOP_CELL, STOP_INLINE, STOP_LINE } from '../../src/sdn/lexer.js';

describe('Lexer', () => {
  it('reads quoted strings with every escape, and stops after the closing quote', () => {
    const lx = new Lexer('"a\\"b\\\\c\\nd\\te\\rf\\u00e9\\/" rest');
    expect(lx.readQuoted()).toBe('a"b\\c\nd\te\rf\u00e9/');
    expect(lx.text.slice(lx.pos)).toBe(' rest');
  });
  it('fails an unclosed string at its opening quote', () => {
    const lx = new Lexer('  "abc');
    lx.pos = 2;
    expect(() => lx.readQuoted()).toThrow(/unclosed string at line 1, column 3/);
  });
  it('reads bare runs per stop rule, trimming and stopping at a spaced #', () => {
    const line = new Lexer('Acme Corp, x   # comment');
    expect(line.readBare(STOP_LINE)).toBe('Acme Corp, x');
    expect(new Lexer('a#b c\n').readBare(STOP_LINE)).toBe('a#b c');
    expect(new Lexer('Alice Chen , x').readBare(STOP_CELL)).toBe('Alice Chen');
    expect(new Lexer('x y] z').readBare(STOP_INLINE)).toBe('x y');
  });
  it('reads bare and quoted keys', () => {
    const lx = new Lexer('results.sdn: x');
    expect(lx.readKey()).toBe('results.sdn');
    expect(new Lexer('"a b": 1').readKey()).toBe('a b');
    expect(() => new Lexer(': 1').readKey()).toThrow(/expected a key/);
  });
  it('endLine accepts spaces, a comment, CRLF; refuses anything else', () => {
    const lx = new Lexer('  # c\r\nnext');
    lx.endLine();
    expect(lx.pos).toBe(7);
    const crlf = new Lexer('\r\nnext');
    crlf.endLine();
    expect(crlf.pos).toBe(2);
    expect(() => new Lexer(' x').endLine()).toThrow(/unexpected characters after value/);
  });
});
