// Bare-word typing, the number grammar and repeated-key collection.
import { describe, expect, it } from 'vitest';
import { parseNumber, setKey, typeBare, type SdnObject } from '../../src/sdn/values.js';

describe('typeBare', () => {
  it('reads keywords exactly', () => {
    expect([typeBare('true'), typeBare('false'), typeBare('null'), typeBare('nil')]).toEqual([true, false, null, null]);
    expect([typeBare('True'), typeBare('nulls'), typeBare('')]).toEqual(['True', 'nulls', '']);
  });
  it('reads numbers and keeps digit-led non-numbers as text', () => {
    expect([typeBare('1_000'), typeBare('-0.5'), typeBare('1.5e-10'), typeBare('6.022E23'), typeBare('0')]).toEqual([1000, -0.5, 1.5e-10, 6.022e23, 0]);
    for (const s of ['2.1.0', '2026-02-06', '0.0.0.0', '718fe35b', '007', '1_', '1__0', '_1', '1.', '1e', '-', '-x', '1.5e+', '0_1']) {
      expect(typeBare(s)).toBe(s);
    }
  });
  it('never rounds an integer outside the safe range, nor overflows a float', () => {
    expect(parseNumber('9007199254740991')).toBe(9007199254740991);
    expect(parseNumber('9007199254740993')).toBe('9007199254740993');
    expect(parseNumber('-12_345_678_901_234_567_890')).toBe('-12_345_678_901_234_567_890');
    expect(parseNumber('1e400')).toBe('1e400');
    expect(parseNumber('1e21')).toBe(1e21);
  });
});

describe('setKey', () => {
  it('collects repeated keys into an array, even when the first value is an array', () => {
    const o: SdnObject = {};
    let r = setKey(o, 'a', [1], null);
    r = setKey(o, 'a', [2], r);
    setKey(o, 'a', 3, r);
    expect(o).toEqual({ a: [[1], [2], 3] });
  });
  it('defines __proto__ as an own property', () => {
    const o: SdnObject = {};
    setKey(o, '__proto__', 1, null);
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
  });
});
