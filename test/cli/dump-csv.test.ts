// CSV (ReedBase parity): `toCsv` from the package entry and `sdnwal dump --format csv`, read back
// with a strict RFC 4180 parser. No CSV package is installed, so the parser lives here (not in src).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_EOL, csvHeader, SdnwalError, toCsv } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { events, ndjson, seed } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

interface CsvField {
  value: string;
  quoted: boolean;
}

/**
 * RFC 4180 §2, strictly: records end with CRLF (the last one may not); a field is either quoted
 * (`"` ... `"`, with `""` for a quote, any character inside) or holds no `"`, `,`, CR or LF.
 * Anything else throws. Each field says whether it was quoted, to tell `""` from an empty field.
 */
function parseCsv(text: string): CsvField[][] {
  const records: CsvField[][] = [];
  if (text === '') return records;
  let record: CsvField[] = [];
  let i = 0;
  for (;;) {
    let field: CsvField;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`unclosed quoted field at ${i}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      field = { value, quoted: true };
    } else {
      const start = i;
      while (i < text.length && !',"\r\n'.includes(text[i]!)) i++;
      if (text[i] === '"') throw new Error(`quote in an unquoted field at ${i}`);
      field = { value: text.slice(start, i), quoted: false };
    }
    record.push(field);
    if (i >= text.length) {
      records.push(record);
      return records;
    }
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] !== '\r' || text[i + 1] !== '\n') throw new Error(`expected a comma or CRLF at ${i}`);
    i += 2;
    records.push(record);
    record = [];
    if (i === text.length) return records;
  }
}

const values = (text: string) => parseCsv(text).map((r) => r.map((f) => f.value));

describe('the RFC 4180 test parser', () => {
  it('reads plain, quoted and empty fields, with or without a final CRLF', () => {
    expect(values('a,b,c\r\n1,"x, ""y""",\r\n')).toEqual([['a', 'b', 'c'], ['1', 'x, "y"', '']]);
    expect(values('a,"line\r\nbreak"')).toEqual([['a', 'line\r\nbreak']]);
    expect(parseCsv('"",')).toEqual([[{ value: '', quoted: true }, { value: '', quoted: false }]]);
    expect(values('')).toEqual([]);
  });

  it('refuses what RFC 4180 does not allow', () => {
    expect(() => parseCsv('a\nb')).toThrow(/CRLF/);
    expect(() => parseCsv('a"b')).toThrow(/quote in an unquoted field/);
    expect(() => parseCsv('"a"b')).toThrow(/comma or CRLF/);
    expect(() => parseCsv('"abc')).toThrow(/unclosed/);
    expect(() => parseCsv('a\rb')).toThrow(/CRLF/);
  });
});

describe('toCsv', () => {
  it('quotes only a field with a comma, quote, CR or LF, doubling quotes', () => {
    const cols = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(toCsv({ a: 'plain', b: 'x,y', c: 'say "hi"', d: 'l1\nl2', e: 'cr\r', f: ' spaced ' }, cols))
      .toBe('plain,"x,y","say ""hi""","l1\nl2","cr\r", spaced ');
  });

  it('null and absent are empty fields, "" is a quoted empty field', () => {
    expect(toCsv({ a: null, c: '' }, ['a', 'b', 'c'])).toBe(',,""');
    expect(parseCsv(toCsv({ a: null, c: '' }, ['a', 'b', 'c']))[0]!.map((f) => f.quoted)).toEqual([false, false, true]);
  });

  it('numbers as JS prints them, keeping -0; booleans; nested values as JSON text', () => {
    expect(toCsv({ a: 1.5, b: -0, c: 1e21, d: true, e: [1, 'a,b'], f: { k: null } }, ['a', 'b', 'c', 'd', 'e', 'f']))
      .toBe('1.5,-0,1e+21,true,"[1,""a,b""]","{""k"":null}"');
  });

  it('takes columns in the given order and ignores the others', () => {
    expect(toCsv({ id: 't1', n: 2, extra: 'x' }, ['n', 'id'])).toBe('2,t1');
  });

  it('a value CSV cannot hold is INVALID_RECORD', () => {
    for (const bad of [NaN, Infinity, 10n, () => 1]) {
      let err: unknown;
      try {
        toCsv({ a: bad }, ['a']);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SdnwalError);
      expect((err as SdnwalError).code).toBe('INVALID_RECORD');
    }
  });

  it('csvHeader quotes column names like fields', () => {
    expect(csvHeader(['id', 'a,b', 'say "x"', ''])).toBe('id,"a,b","say ""x""",""');
  });

  it('round-trips any row through the strict parser (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', ' ', ',', '"', '\r', '\n', '😀') });
    const cell = fc.oneof(text, fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.array(fc.oneof(text, fc.integer())));
    fc.assert(
      fc.property(fc.uniqueArray(text, { minLength: 1, maxLength: 5 }), fc.array(cell, { maxLength: 5 }), (cols, cells) => {
        const row = Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? null]));
        const csv = csvHeader(cols) + CSV_EOL + toCsv(row, cols) + CSV_EOL;
        const [head, rec] = parseCsv(csv);
        expect(head!.map((f) => f.value)).toEqual(cols);
        cols.forEach((c, i) => {
          const v = row[c];
          const f = rec![i]!;
          if (v === null) expect(f).toEqual({ value: '', quoted: false });
          else if (typeof v === 'string') expect(f.value).toBe(v);
          else if (typeof v === 'number') expect(Object.is(Number(f.value), v)).toBe(true);
          else expect(JSON.parse(f.value)).toEqual(v);
        });
      }),
    );
  });
});

describe('sdnwal dump --format csv', () => {
  it('prints a header and one CRLF record a row that a strict parser reads back', async () => {
    const dir = tmpDir();
    await seed(dir, 'events', events(0, 3));
    const r = await runCli(['dump', dir, 'events', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('id,n,note\r\ne0,0,"note, ""0"""\r\ne1,1,"note, ""1"""\r\ne2,2,"note, ""2"""\r\n');
    expect(values(r.stdout)).toEqual([['id', 'n', 'note'], ...events(0, 3).map((e) => [e.id, String(e.n), e.note])]);
  });

  it('a table without declared columns: every key, null/absent empty, nested as JSON, -0 kept', async () => {
    const dir = tmpDir();
    const rows = [
      { id: 'a', tags: ['x', 'y,z'], n: -0 },
      { id: 'b', meta: { k: 'line\nbreak' }, n: null },
      { id: 'c', n: 2.5, tags: [] },
    ];
    // JSON.stringify writes -0 as 0, so the -0 is spelled out in the NDJSON by hand.
    const a = await runCli(['append', dir, 'mix', '--key', 'id'], ndjson(rows).replace('"n":0', '"n":-0'));
    expect(a.code).toBe(0);
    const r = await runCli(['dump', dir, 'mix', '--format', 'csv']);
    expect(r.code).toBe(0);
    const [head, ...recs] = parseCsv(r.stdout);
    expect(head!.map((f) => f.value)).toEqual(['id', 'tags', 'n', 'meta']);
    expect(recs.map((rec) => rec.map((f) => f.value))).toEqual([
      ['a', '["x","y,z"]', '-0', ''],
      ['b', '', '', '{"k":"line\\nbreak"}'],
      ['c', '[]', '2.5', ''],
    ]);
    expect(JSON.parse(recs[1]![3]!.value)).toEqual({ k: 'line\nbreak' });
  });

  it('an empty table with declared columns is the header alone', async () => {
    const dir = tmpDir();
    await seed(dir, 'events', []);
    const r = await runCli(['dump', dir, 'events', '--format', 'csv']);
    expect(r).toEqual({ code: 0, stdout: 'id,n,note\r\n', stderr: '' });
  });
});

describe('sdnwal dump --json', () => {
  it('is accepted and changes nothing with ndjson (the default) and json', async () => {
    const dir = tmpDir();
    await seed(dir, 'events', events(0, 3));
    for (const f of [[], ['--format', 'ndjson'], ['--format', 'json']]) {
      const plain = await runCli(['dump', dir, 'events', ...f]);
      const json = await runCli(['dump', dir, 'events', ...f, '--json']);
      expect(json).toEqual(plain);
      expect(json.code).toBe(0);
    }
  });

  it.each(['sdn', 'csv'])('with --format %s is a usage error (exit 2) that says why', async (format) => {
    const dir = tmpDir();
    await seed(dir, 'events', events(0, 1));
    const r = await runCli(['dump', dir, 'events', '--format', format, '--json']);
    expect(r.code).toBe(2);
    // Where the message goes is the CLI's reporter's choice (src/cli/main.ts): stderr, or with
    // --json possibly a {"error":{...}} object on stdout. Either way it names the conflict.
    const message = r.stdout ? (JSON.parse(r.stdout) as { error: { message: string } }).error.message : r.stderr;
    expect(message).toMatch(new RegExp(`--json cannot be combined with --format ${format}`));
  });

  it('--help documents csv and --json', async () => {
    const r = await runCli(['dump', '--help']);
    expect(r.stdout).toMatch(/--format csv/);
    expect(r.stdout).toMatch(/--json/);
  });
});
