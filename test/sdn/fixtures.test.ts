// Data-driven parser fixtures: valid/NAME.sdn parses to NAME.json; invalid/NAME.sdn fails as NAME.error.json says.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SdnParseError } from '../../src/errors.js';
import { parse } from '../../src/sdn/index.js';

const root = join(import.meta.dirname, '..', 'fixtures', 'sdn');
const names = (dir: string, ext: string) =>
  readdirSync(join(root, dir)).filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length)).sort();

describe('valid fixtures', () => {
  it.each(names('valid', '.sdn'))('%s', (name) => {
    const text = readFileSync(join(root, 'valid', `${name}.sdn`), 'utf8');
    const expected = JSON.parse(readFileSync(join(root, 'valid', `${name}.json`), 'utf8'));
    expect(parse(text)).toEqual(expected);
  });
});

describe('invalid fixtures', () => {
  it.each(names('invalid', '.sdn'))('%s', (name) => {
    const text = readFileSync(join(root, 'invalid', `${name}.sdn`), 'utf8');
    const expected = JSON.parse(readFileSync(join(root, 'invalid', `${name}.error.json`), 'utf8'));
    let error: unknown;
    try {
      parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SdnParseError);
    const e = error as SdnParseError;
    expect({ code: e.code, line: e.line, column: e.column }).toEqual(expected);
    expect(e.excerpt).toContain('^');
    expect(e.message).toMatch(/at line \d+, column \d+$/);
  });
});
