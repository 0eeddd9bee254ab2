import { describe, expect, it } from 'vitest';
import { parseJsonExact } from '../../../../src/cli/commands/sdn/json-in.js';
import { UserError } from '../../../../src/cli/command.js';

describe('parseJsonExact', () => {
  it('reads ordinary JSON exactly as JSON.parse does', () => {
    const text = '{"a": [1, -2.5, 1e3, 9007199254740991, -9007199254740991], "b": "x 123456789012345678901 y", "c": null}';
    expect(parseJsonExact(text, 't')).toEqual(JSON.parse(text));
  });

  it.each([
    '"a\\u00fc\\n\\t\\"\\\\\\/\\b\\f\\r"', '[]', '{}', ' [ {"a" : [ ] } , 0 , -0.0 , 1E-7 ] ', '{"__proto__": 1}', '"😀 ü"',
  ])('agrees with JSON.parse on %s', (text) => {
    expect(parseJsonExact(text, 't')).toEqual(JSON.parse(text));
  });

  it.each([
    ['[1, 2,]', 1, 7, "unexpected ']', expected a value"],
    ['{"a": 1} x', 1, 10, 'unexpected text after the JSON value'],
    ['{a: 1}', 1, 2, `unexpected 'a', expected a "quoted" key`],
    ['["abc', 1, 2, 'unclosed string'],
    ['[01]', 1, 3, "unexpected '1', expected ',' or ']'"],
  ])('rejects %s at line %i, column %i', (text, line, column, reason) => {
    expect(() => parseJsonExact(text as string, 't')).toThrow(`invalid JSON in t: ${reason} at line ${line}, column ${column}`);
  });

  it('keeps integers beyond ±(2^53-1) and overflowing floats as their text', () => {
    expect(parseJsonExact('[9007199254740992, -123456789012345678901, 1e999, 0.1]', 't')).toEqual(['9007199254740992', '-123456789012345678901', '1e999', 0.1]);
  });

  it('leaves digits inside strings, including after escaped quotes, alone', () => {
    expect(parseJsonExact('{"k\\"99999999999999999999": "\\"99999999999999999999"}', 't')).toEqual({ 'k"99999999999999999999': '"99999999999999999999' });
  });

  it('reports invalid JSON as a UserError with line, column and a caret', () => {
    let err: unknown;
    try {
      parseJsonExact('{\n  "a": tru\n}', 'x.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^invalid JSON in x\.json: .* at line 2, column \d+\n  "a": tru\n +\^$/);
  });

  it('reports empty input', () => {
    expect(() => parseJsonExact('', 'x.json')).toThrow(/^invalid JSON in x\.json: unexpected end of input, expected a value at line 1, column 1/);
  });
});
