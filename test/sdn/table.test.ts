// Table headers, typed columns and rows.
import { describe, expect, it } from 'vitest';
import { Lexer } from '../../src/sdn/lexer.js';
import { readColumns, readRow, readTypes } from '../../src/sdn/table.js';

describe('tables', () => {
  it('reads headers with bare and quoted names', () => {
    expect(readColumns(new Lexer('|id, "two words",x|'))).toEqual(['id', 'two words', 'x']);
    expect(readTypes(new Lexer('{i32, f64}'))).toEqual(['i32', 'f64']);
    expect(() => readColumns(new Lexer('| |'))).toThrow(/empty table header/);
    expect(() => readColumns(new Lexer('|a b|'))).toThrow(/expected ',' or '\|'/);
  });
  it('splits rows at commas: multi-word, quoted, inline and empty cells', () => {
    const row = readRow(new Lexer('1001, Alice Chen, "a, b", [x, y], , true,'), ['a', 'b', 'c', 'd', 'e', 'f', 'g'], 7, null);
    expect(row).toEqual({ a: 1001, b: 'Alice Chen', c: 'a, b', d: ['x', 'y'], e: '', f: true, g: '' });
  });
  it('checks typed cells and widths', () => {
    expect(readRow(new Lexer('1, 2.5, true'), null, 3, ['i64', 'f32', 'bool'])).toEqual([1, 2.5, true]);
    expect(() => readRow(new Lexer('1.5, 2'), null, 2, ['i32', 'i32'])).toThrow(/not a i32/);
    expect(() => readRow(new Lexer('1, 2, 3'), null, 2, null)).toThrow(/row has 3 cells but the table has 2 columns/);
  });
});
