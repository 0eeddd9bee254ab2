// The portable name rule (docs/sdn.md, "Portable output"): names Simple's own SDN parser reads
// as the same bare word are written bare; every other name is quoted.
import { describe, expect, it } from 'vitest';
import { formatKey, formatTableHeader, isPortableName, parse, stringify } from '../../src/sdn/index.js';
import { nameProblem } from '../../src/sdn/names.js';

const PORTABLE = ['a', '_', '_x', 'A1', 'a-b', 'results.sdn', 'src/main', 'stage2_hash', 'x.y-z/w_0', 'tables', 'nil_count', 'True', 'NULL'];
const NOT_PORTABLE = ['', '1abc', '-a', '.a', '/a', 'a b', 'a:b', 'a+b', 'é', 'a"b', 'a#b', 'true', 'false', 'null', 'nil', 'table', 'a\u0001'];

describe('portable names', () => {
  it('are a letter or _, then letters, digits, _ . - /, and no keyword of Simple\'s parser', () => {
    for (const n of PORTABLE) expect(isPortableName(n), n).toBe(true);
    for (const n of NOT_PORTABLE) expect(isPortableName(n), n).toBe(false);
    expect(nameProblem('table')).toMatch(/keyword/);
    expect(nameProblem('1abc')).toMatch(/must start with a letter or '_'/);
    expect(nameProblem('a-b')).toBeUndefined();
  });

  it('are written bare, never quoted (a-b, results.sdn); keywords and other names are quoted', () => {
    expect(formatKey('a-b')).toBe('a-b');
    expect(formatKey('results.sdn')).toBe('results.sdn');
    expect(formatKey('src/main')).toBe('src/main');
    for (const k of ['true', 'false', 'null', 'nil', 'table']) expect(formatKey(k)).toBe(`"${k}"`);
    expect(formatKey('1st')).toBe('"1st"');
    expect(formatKey('due date')).toBe('"due date"');
    expect(formatTableHeader('my-table', ['id', 'a-b', 'table'])).toBe('my-table |id, a-b, "table"|');
  });

  it('read back the same in every place a name goes: keys, blocks, tables, inline dicts', () => {
    const doc = {
      'a-b': 1, 'results.sdn': { 'x.y': 'z', 'p/q': [1, 2] }, 'my-table': [{ 'id-x': 1, 'v.w': 'a' }, { 'id-x': 2, 'v.w': 'b' }],
      list: [{ 'k-1': 1 }, [1]], table: 'kw', nil: null, '1st': 1,
    };
    const text = stringify(doc);
    expect(text).toContain('a-b: 1\n');
    expect(text).toContain('results.sdn:\n    x.y: "z"\n    p/q = [1, 2]\n');
    expect(text).toContain('my-table |id-x, v.w|\n');
    expect(text).toContain('    {k-1: 1}\n');
    expect(text).toContain('"table": "kw"\n');
    expect(text).toContain('"nil": null\n');
    expect(parse(text)).toEqual(doc);
  });
});
