// checkPortable: each place Simple's own SDN parser reads differently, by rule, with its line.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatKeepingComments } from '../../src/sdn/format.js';
import { checkPortable, SdnParseError, stringify } from '../../src/sdn/index.js';

const CORPUS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sdn/corpus');

const rules = (text: string) => checkPortable(text).map((f) => `${f.line}:${f.column} ${f.rule}`);

describe('checkPortable', () => {
  it('reports the forms sdnwal wrote before snapshots were portable, one finding each, in text order', () => {
    const text = [
      'meta:',
      '    table: "todos"',
      'misc |id, "due date", "1st", "a-b"|',
      '    1, "ctrl\\u0001char", "esc\\u001b[0m", "\\u0008\\u000c"',
      '"my-table" |id, v|',
      '    1, 2',
      '"quoted key": 1',
      '"results.sdn":',
      '    big: 18446744073709551616',
      'x = {nil: 1, "k": [-9223372036854775809]}',
      '',
    ].join('\n');
    expect(rules(text)).toEqual([
      '2:5 keyword-name',
      '3:11 quoted-name', '3:23 quoted-name', '3:30 quoted-name',
      '4:13 escape', '4:30 escape', '4:43 escape', '4:49 escape',
      '5:1 quoted-name',
      '7:1 quoted-name',
      '8:1 quoted-name',
      '9:10 big-int',
      '10:6 keyword-name', '10:14 quoted-name', '10:20 big-int',
    ]);
    const f = checkPortable(text);
    expect(f[0]!.message).toMatch(/"table" is a keyword/);
    expect(f[3]!.message).toMatch(/write it bare: a-b/);
    expect(f[4]!.message).toMatch(/\\u0001/);
  });

  it('reports bare names outside the rule, other escapes, and keyword columns and tables', () => {
    expect(rules('1abc: 1\na+b: 2\ntrue |id, null|\n    1, 2\n')).toEqual(['1:1 name', '2:1 name', '3:1 keyword-name', '3:11 keyword-name']);
    expect(rules('s: "a\\/b\\\'c\\0"\n')).toEqual(['1:6 escape', '1:9 escape', '1:12 escape']);
    expect(rules('s: "\\n\\t\\r\\\\\\""\n')).toEqual([]); // the five escapes both parsers decode
  });

  it('finds nothing in what the writer writes, nor in integers within 64 bits', () => {
    const text = stringify({
      'a-b': 'ctrl\u0001char\u001b[0m\u0008\u000c', 'results.sdn': { x: 2n ** 64n, y: -(2n ** 63n), z: 2n ** 63n - 1n },
      t: [{ id: 1, 'v.w': 'x\ty' }], list: [{ k: [1, { 'p/q': null }] }],
    });
    expect(checkPortable(text)).toEqual([]);
    expect(rules('a: 9223372036854775807\nb: -9223372036854775808\nc: 9_223_372_036_854_775_808\n')).toEqual(['3:4 big-int']);
  });

  it('does not report what was only tried: a line that is not name=value pairs is text', () => {
    expect(rules('desc: a=b, "c" d\n')).toEqual([]);
    expect(rules('pairs: k="v\\/", "k2"=1,\n')).toEqual(['1:12 escape', '1:17 quoted-name']);
  });

  it('throws SdnParseError for a text sdnwal cannot read', () => {
    expect(() => checkPortable('a: [1, 2\n')).toThrow(SdnParseError);
  });

  it('finds nothing in `sdn fmt`\'s output of any corpus file that parses (artifacts.sdn\'s `results.sdn:` is bare now)', () => {
    const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.sdn') && !f.includes('invalid'));
    expect(files.length).toBe(23);
    for (const f of files) {
      const out = formatKeepingComments(fs.readFileSync(path.join(CORPUS, f), 'utf8'));
      expect(checkPortable(out), f).toEqual([]);
    }
  });
});
