// `sdn fmt` keeps comments: the formatter (src/sdn/format.ts) and the command on a real file.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatKeepingComments } from '../../src/sdn/format.js';
import { parse, stringify } from '../../src/sdn/index.js';
import { parseText } from '../../src/sdn/parser.js';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sdn/corpus');

/** Every comment of `text`, from its `#` to the end of its line, in file order. */
function comments(text: string): string[] {
  return parseText(text, true).comments.map((at) => text.slice(at).split(/\r?\n/)[0]!.trimEnd());
}

const SOURCE = [
  '# settings for the dev server',
  'name: dev   # a short name',
  'server:',
  '  # where to listen',
  '  host: localhost  # all interfaces would be 0.0.0.0',
  '  limits:  # per client',
  '    rate: 10',
  '    # burst is rate x2 unless set',
  '  port: 8080',
  '',
  '# the users, one row each',
  'users |id, name|  # id is the key',
  '  1, Alice Chen  # admin',
  '  # Bob joined later',
  '  2, Bob',
  'tags:',
  '  - a  # first',
  '  # between',
  '  - b',
  '# the end',
  '',
].join('\n');

const FORMATTED = [
  '# settings for the dev server',
  'name: "dev"  # a short name',
  'server:',
  '    # where to listen',
  '    host: "localhost"  # all interfaces would be 0.0.0.0',
  '    limits:  # per client',
  '        rate: 10',
  '        # burst is rate x2 unless set',
  '    port: 8080',
  '',
  '# the users, one row each',
  'users |id, name|  # id is the key',
  '    1, "Alice Chen"  # admin',
  '    # Bob joined later',
  '    2, "Bob"',
  'tags:',
  '    "a"  # first',
  '    # between',
  '    "b"',
  '# the end',
  '',
].join('\n');

describe('formatKeepingComments', () => {
  it('keeps own-line and trailing comments in their places, in the writer profile', () => {
    expect(formatKeepingComments(SOURCE)).toBe(FORMATTED);
  });

  it('changes no value and drops no comment', () => {
    const out = formatKeepingComments(SOURCE);
    expect(parse(out)).toEqual(parse(SOURCE));
    expect(comments(out)).toEqual(comments(SOURCE));
    expect(comments(SOURCE)).toHaveLength(13);
  });

  it('is idempotent', () => {
    const once = formatKeepingComments(SOURCE);
    expect(formatKeepingComments(once)).toBe(once);
  });

  it('without comments is exactly stringify(parse(text)), as before', () => {
    const text = 'b: 1\na:\n  x: [1, 2]\nt |k|\n  v\n';
    expect(formatKeepingComments(text)).toBe(stringify(parse(text)));
  });

  it('a list of scalars keeps the one-line form when its only comment is on the header line', () => {
    expect(formatKeepingComments('tags:  # labels\n  - a\n  - b\n')).toBe('tags = ["a", "b"]  # labels\n');
  });

  it('comments inside a value written on one line move above it', () => {
    const text = 'xs: [1,  # one\n  2]  # two\nitems:\n  - name: a  # first\n    n: 1  # count\n  - {name: b, n: 2}\n';
    const out = formatKeepingComments(text);
    expect(out).toBe('# one\n# two\nxs = [1, 2]\nitems |name, n|\n    # first\n    # count\n    "a", 1\n    "b", 2\n');
    expect(parse(out)).toEqual(parse(text));
    expect(formatKeepingComments(out)).toBe(out);
  });

  it('a [section] becomes a block with its comments; a column-0 comment after it goes with what follows', () => {
    const text = 'a: 1\n[sec]  # the section\nk: v\n  # still in sec\n# about b\n[b]\nz: 2\n';
    expect(formatKeepingComments(text)).toBe(
      'a: 1\nsec:  # the section\n    k: "v"\n    # still in sec\n# about b\nb:\n    z: 2\n',
    );
  });

  it('reads CRLF files and writes LF, comments kept', () => {
    const out = formatKeepingComments('# c\r\na: 1  # one\r\n');
    expect(out).toBe('# c\na: 1  # one\n');
  });

  it('records a comment inside `k=[..]` pairs only when the line reads as pairs', () => {
    expect(comments('a: x=[1, # c\n 2], y=3,\n')).toEqual(['# c']);
    expect(parse('a: x=[1, # c\n 2], y=3,\n')).toEqual({ a: { x: [1, 2], y: 3 } });
  });

  it.each(fs.readdirSync(CORPUS).filter((f) => f.endsWith('.sdn') && !f.includes('invalid')))('corpus %s: same value, same comments, idempotent', (name) => {
    const text = fs.readFileSync(path.join(CORPUS, name), 'utf8');
    const out = formatKeepingComments(text);
    expect(parse(out)).toEqual(parse(text));
    expect(comments(out)).toEqual(comments(text));
    expect(formatKeepingComments(out)).toBe(out);
  });
});

describe('sdnwal sdn fmt keeps comments', () => {
  it('rewrites a file in place with every comment where it was; a second run changes nothing', async () => {
    const p = path.join(tmpDir('sdnwal-fmt-'), 'dev.sdn');
    fs.writeFileSync(p, SOURCE);
    expect(await runCli(['sdn', 'fmt', p])).toEqual({ code: 0, stdout: '', stderr: '' });
    const after = fs.readFileSync(p, 'utf8');
    expect(after).toBe(FORMATTED);
    expect(parse(after)).toEqual(parse(SOURCE));
    expect(await runCli(['sdn', 'fmt', p, '--check'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await runCli(['sdn', 'fmt', p])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(fs.readFileSync(p, 'utf8')).toBe(FORMATTED);
  });

  it('- prints the text with its comments', async () => {
    const r = await runCli(['sdn', 'fmt', '-'], SOURCE);
    expect(r).toEqual({ code: 0, stdout: FORMATTED, stderr: '' });
  });

  it('--help no longer says comments are dropped', async () => {
    const r = await runCli(['sdn', 'fmt', '--help']);
    expect(r.stdout).toMatch(/Comments are kept/);
    expect(r.stdout).not.toMatch(/not kept/);
  });
});
