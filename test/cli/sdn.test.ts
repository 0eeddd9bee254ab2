import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../../src/sdn/index.js';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = path.join(ROOT, 'test/fixtures/sdn/corpus');
const INVALID_CORPUS = 'test__lib__std__fixtures__sdn__invalid__missing_colon.sdn';
const corpusFiles = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.sdn')).sort();

/** A file in a fresh temp dir. */
function file(name: string, text: string): string {
  const p = path.join(tmpDir('sdnwal-cli-sdn-'), name);
  fs.writeFileSync(p, text);
  return p;
}

const CONFIG = [
  '# server settings',
  'server:',
  '    host: localhost  # where to listen',
  '    port: 8080',
  '',
  '# the users',
  'users |id, name|',
  '    1, Alice Chen',
  '    2, Bob',
  '',
].join('\n');

const NO_STACK = /\n\s+at /;

describe('sdnwal sdn', () => {
  it('lists its subcommands with --help (exit 0) and exits 2 without one', async () => {
    const help = await runCli(['sdn', '--help']);
    expect(help.code).toBe(0);
    for (const name of ['check', 'to-json', 'from-json', 'get', 'set', 'fmt']) expect(help.stdout).toContain(`sdnwal sdn ${name}`);
    const bare = await runCli(['sdn']);
    expect(bare.code).toBe(2);
  });

  it.each(['check', 'to-json', 'from-json', 'get', 'set', 'fmt'])('%s --help prints its usage and exits 0', async (name) => {
    const r = await runCli(['sdn', name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: sdnwal sdn ${name} `));
    expect(r.stderr).toBe('');
  });

  it('an unknown subcommand, a missing argument or an unknown option exits 2', async () => {
    const f = file('a.sdn', 'a: 1\n');
    const unknown = await runCli(['sdn', 'frobnicate', f]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command: sdnwal sdn frobnicate/);
    const missing = await runCli(['sdn', 'get', f]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: expected 2 argument\(s\); usage: sdnwal sdn get/);
    const extra = await runCli(['sdn', 'check', f, f]);
    expect(extra.code).toBe(2);
    const option = await runCli(['sdn', 'to-json', f, '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^error: .*bogus/);
  });

  it('a missing file exits 1 with "cannot read" and no stack trace', async () => {
    const missing = path.join(tmpDir(), 'nope.sdn');
    for (const sub of ['check', 'to-json', 'from-json', 'fmt']) {
      const r = await runCli(['sdn', sub, missing]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: cannot read ${missing}: ENOENT: no such file or directory, open '${missing}'\n`);
    }
    const set = await runCli(['sdn', 'set', missing, 'a', '1']);
    expect(set.code).toBe(1);
    expect(set.stderr).toMatch(/^error: cannot read .*ENOENT/);
    expect(set.stderr).not.toMatch(NO_STACK);
    expect(fs.existsSync(missing)).toBe(false);
  });
});

describe('sdnwal sdn check', () => {
  it('exits 0 and prints nothing for a valid file', async () => {
    const r = await runCli(['sdn', 'check', file('ok.sdn', CONFIG)]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('prints the parse error with line, column and a caret, and exits 1', async () => {
    const r = await runCli(['sdn', 'check', file('bad.sdn', 'a: 1\nname Alice\n')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^error: .+ at line 2, column \d+$/);
    expect(lines[1]).toBe('name Alice');
    expect(lines[2]).toMatch(/^ *\^$/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('--json reports ok or the error on stdout', async () => {
    const good = file('ok.sdn', CONFIG);
    const ok = await runCli(['sdn', 'check', good, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ file: good, ok: true });
    const bad = file('bad.sdn', 'a: 1\nname Alice\n');
    const r = await runCli(['sdn', 'check', bad, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ file: bad, ok: false, code: 'SDN_PARSE', line: 2 });
    expect(report.column).toBeGreaterThanOrEqual(1);
    expect(report.message).toMatch(/at line 2, column \d+$/);
  });

  it('reads stdin for -', async () => {
    expect((await runCli(['sdn', 'check', '-'], CONFIG)).code).toBe(0);
    const bad = await runCli(['sdn', 'check', '-'], 'x: [1, 2\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*unclosed array at line 1, column 4\n/);
  });
});

describe('sdnwal sdn to-json', () => {
  const expected = { server: { host: 'localhost', port: 8080 }, users: [{ id: 1, name: 'Alice Chen' }, { id: 2, name: 'Bob' }] };

  it('prints 2-space JSON; named tables become arrays of objects', async () => {
    const r = await runCli(['sdn', 'to-json', file('c.sdn', CONFIG)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.stringify(expected, null, 2)}\n`);
  });

  it('--compact prints one line; - reads stdin', async () => {
    const r = await runCli(['sdn', 'to-json', '-', '--compact'], CONFIG);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.stringify(expected)}\n`);
  });

  it('typed tables become arrays of arrays', async () => {
    const r = await runCli(['sdn', 'to-json', '-', '--compact'], 'points: table{i32, f64}\n    1, 2.5\n    3, 4.0\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ points: [[1, 2.5], [3, 4]] });
  });

  it('never rounds an integer beyond 2^53: it is printed with all its digits', async () => {
    const r = await runCli(['sdn', 'to-json', '-', '--compact'], 'big: 123456789012345678901\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('123456789012345678901');
  });

  it('a parse error exits 1 with the position', async () => {
    const r = await runCli(['sdn', 'to-json', '-'], 'a: 1\n\tb: 2\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .*at line 2, column 1\n/);
  });
});

describe('sdnwal sdn from-json', () => {
  it('prints SDN that reads back as the same value; flat object arrays become named tables', async () => {
    const value = { name: 'x "y" \\ z', n: -3, f: 0.5, ok: true, none: null, list: [1, 'two', [3]], rows: [{ a: 1, b: 'p, q' }, { a: 2, b: '' }] };
    const r = await runCli(['sdn', 'from-json', file('v.json', JSON.stringify(value))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rows \|a, b\|$/m);
    expect(parse(r.stdout)).toEqual(value);
  });

  it('reads stdin for -', async () => {
    const r = await runCli(['sdn', 'from-json', '-'], '{"a": {"b": [1, 2]}}');
    expect(r.code).toBe(0);
    expect(parse(r.stdout)).toEqual({ a: { b: [1, 2] } });
  });

  it('keeps an integer too big for a double as its digits (a string), as the SDN parser does', async () => {
    const r = await runCli(['sdn', 'from-json', '-'], '{"id": 123456789012345678901, "small": 7}');
    expect(r.code).toBe(0);
    expect(parse(r.stdout)).toEqual({ id: '123456789012345678901', small: 7 });
  });

  it('refuses JSON that is not an object: an SDN document is a dict', async () => {
    const r = await runCli(['sdn', 'from-json', '-'], '[1, 2]');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: the JSON must be an object (an SDN document is a dict of keys), got an array; wrap it, e.g. {"items": [...]}\n');
  });

  it('invalid JSON exits 1 with line and column and no stack trace', async () => {
    const r = await runCli(['sdn', 'from-json', '-'], '{\n  "a": 1,\n  "b": }\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: invalid JSON in stdin: .* at line 3, column 8\n  "b": }\n {7}\^\n$/);
  });
});

describe('sdnwal sdn get', () => {
  const f = () => file('c.sdn', CONFIG);

  it('prints scalars as plain text', async () => {
    const p = f();
    expect(await runCli(['sdn', 'get', p, 'server.host'])).toEqual({ code: 0, stdout: 'localhost\n', stderr: '' });
    expect((await runCli(['sdn', 'get', p, 'server.port'])).stdout).toBe('8080\n');
    expect((await runCli(['sdn', 'get', p, 'users.0.name'])).stdout).toBe('Alice Chen\n');
    expect((await runCli(['sdn', 'get', p, 'users.1.id'])).stdout).toBe('2\n');
  });

  it('prints collections as SDN', async () => {
    const p = f();
    const dict = await runCli(['sdn', 'get', p, 'server']);
    expect(dict.code).toBe(0);
    expect(parse(dict.stdout)).toEqual({ host: 'localhost', port: 8080 });
    const table = await runCli(['sdn', 'get', p, 'users']);
    expect(table.code).toBe(0);
    expect(parse(table.stdout)).toEqual({ users: [{ id: 1, name: 'Alice Chen' }, { id: 2, name: 'Bob' }] });
  });

  it('--json prints JSON', async () => {
    const p = f();
    expect((await runCli(['sdn', 'get', p, 'users.0', '--json'])).stdout).toBe('{"id":1,"name":"Alice Chen"}\n');
    expect((await runCli(['sdn', 'get', p, 'server.host', '--json'])).stdout).toBe('"localhost"\n');
  });

  it('reads stdin for -', async () => {
    const r = await runCli(['sdn', 'get', '-', 'a.b.1'], 'a:\n  b: [10, 20]\n');
    expect(r).toEqual({ code: 0, stdout: '20\n', stderr: '' });
  });

  it('a missing path exits 1', async () => {
    const r = await runCli(['sdn', 'get', f(), 'server.nope']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: no value at path "server.nope"/);
  });
});

describe('sdnwal sdn set', () => {
  it('changes one value and keeps comments and the other lines as they were', async () => {
    const p = file('c.sdn', CONFIG);
    const r = await runCli(['sdn', 'set', p, 'server.port', '9090']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    const after = fs.readFileSync(p, 'utf8');
    expect(after).toBe(CONFIG.replace('port: 8080', 'port: 9090'));
    expect(fs.readdirSync(path.dirname(p))).toEqual(['c.sdn']); // no temp file left behind
  });

  it('reads the value as SDN: numbers, booleans, quoted strings, inline arrays, bare words', async () => {
    const p = file('c.sdn', CONFIG);
    const cases: [string, string, unknown][] = [
      ['server.port', '42', 42],
      ['server.tls', 'true', true],
      ['server.host', '"0.0.0.0"', '0.0.0.0'],
      ['server.tags', '[1, 2]', [1, 2]],
      ['server.version', '2.1.0', '2.1.0'],
      ['server.owner', 'Alice Chen', 'Alice Chen'],
      ['server.none', 'null', null],
    ];
    for (const [at, raw] of cases) expect((await runCli(['sdn', 'set', p, at, raw])).code).toBe(0);
    const doc = parse(fs.readFileSync(p, 'utf8'));
    for (const [at, , want] of cases) expect((doc.server as Record<string, unknown>)[at.split('.')[1]]).toEqual(want);
    expect(fs.readFileSync(p, 'utf8')).toContain('# where to listen');
  });

  it('--json reads the value as JSON', async () => {
    const p = file('c.sdn', CONFIG);
    expect((await runCli(['sdn', 'set', p, 'server.limits', '{"max": 5, "names": ["a b", "c"]}', '--json'])).code).toBe(0);
    expect(parse(fs.readFileSync(p, 'utf8')).server).toMatchObject({ limits: { max: 5, names: ['a b', 'c'] } });
  });

  it('the new value is visible to get', async () => {
    const p = file('c.sdn', CONFIG);
    await runCli(['sdn', 'set', p, 'users.1.name', '"Bob Stone"']);
    expect((await runCli(['sdn', 'get', p, 'users.1.name'])).stdout).toBe('Bob Stone\n');
    expect(fs.readFileSync(p, 'utf8')).toContain('# the users');
  });

  it('refuses - (exit 2), a bad value and a multi-line value (exit 1), leaving the file unchanged', async () => {
    const p = file('c.sdn', CONFIG);
    const dash = await runCli(['sdn', 'set', '-', 'a', '1'], 'a: 0\n');
    expect(dash.code).toBe(2);
    expect(dash.stderr).toMatch(/^error: set needs a file/);
    const bad = await runCli(['sdn', 'set', p, 'server.port', '[1, 2']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: invalid value "\[1, 2": .* at column 1\n$/);
    const multi = await runCli(['sdn', 'set', p, 'server.port', '1\nother: 2']);
    expect(multi.code).toBe(1);
    expect(multi.stderr).toMatch(/^error: the value must be on one line/);
    const badJson = await runCli(['sdn', 'set', p, 'server.port', '{', '--json']);
    expect(badJson.code).toBe(1);
    expect(fs.readFileSync(p, 'utf8')).toBe(CONFIG);
  });

  it('adds a key that was not there', async () => {
    const p = file('c.sdn', CONFIG);
    expect((await runCli(['sdn', 'set', p, 'server.limits.max', '5'])).code).toBe(0);
    const after = fs.readFileSync(p, 'utf8');
    expect(parse(after).server).toEqual({ host: 'localhost', port: 8080, limits: { max: 5 } });
    expect(after.startsWith('# server settings\nserver:\n    host: localhost  # where to listen\n')).toBe(true);
  });

  it('a path it cannot follow exits 1; an empty path exits 2; the file is unchanged', async () => {
    const p = file('c.sdn', CONFIG);
    const through = await runCli(['sdn', 'set', p, 'server.port.x', '1']);
    expect(through.code).toBe(1);
    expect(through.stderr).toMatch(/^error: cannot set "server.port.x" in .*c\.sdn: /);
    expect(through.stderr).not.toMatch(NO_STACK);
    const empty = await runCli(['sdn', 'set', p, '', '1']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^error: the path is empty/);
    expect(fs.readFileSync(p, 'utf8')).toBe(CONFIG);
  });

  it('a file that does not parse exits 1 and is not touched', async () => {
    const p = file('bad.sdn', 'a: 1\nname Alice\n');
    const r = await runCli(['sdn', 'set', p, 'a', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .* at line 2, column \d+\n/);
    expect(fs.readFileSync(p, 'utf8')).toBe('a: 1\nname Alice\n');
  });
});

describe('sdnwal sdn fmt', () => {
  it('rewrites a file to the writer profile, which then passes --check', async () => {
    const p = file('c.sdn', CONFIG);
    const before = await runCli(['sdn', 'fmt', p, '--check']);
    expect(before.code).toBe(1);
    expect(before.stderr).toBe(`not formatted: ${p}\n`);
    expect(fs.readFileSync(p, 'utf8')).toBe(CONFIG); // --check writes nothing
    expect(await runCli(['sdn', 'fmt', p])).toEqual({ code: 0, stdout: '', stderr: '' });
    const after = fs.readFileSync(p, 'utf8');
    expect(after).not.toBe(CONFIG);
    expect(after.endsWith('\n')).toBe(true);
    expect(parse(after)).toEqual(parse(CONFIG));
    expect(await runCli(['sdn', 'fmt', p, '--check'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(fs.readdirSync(path.dirname(p))).toEqual(['c.sdn']);
  });

  it('- prints the formatted text; running it again changes nothing', async () => {
    const once = await runCli(['sdn', 'fmt', '-'], CONFIG);
    expect(once.code).toBe(0);
    expect(parse(once.stdout)).toEqual(parse(CONFIG));
    const twice = await runCli(['sdn', 'fmt', '-'], once.stdout);
    expect(twice.stdout).toBe(once.stdout);
    expect((await runCli(['sdn', 'fmt', '-', '--check'], once.stdout)).code).toBe(0);
  });

  it('--check --json reports on stdout', async () => {
    const r = await runCli(['sdn', 'fmt', '-', '--check', '--json'], CONFIG);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ file: '-', formatted: false });
  });

  it('a parse error exits 1 and leaves the file alone', async () => {
    const p = file('bad.sdn', 'x: [1,\n');
    const r = await runCli(['sdn', 'fmt', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .* at line 1, column 4\n/);
    expect(fs.readFileSync(p, 'utf8')).toBe('x: [1,\n');
  });
});

describe('sdnwal sdn on the corpus', () => {
  const valid = corpusFiles.filter((f) => f !== INVALID_CORPUS);

  it('holds the corpus files', () => {
    expect(valid.length).toBeGreaterThanOrEqual(23);
  });

  it.each(valid)('%s: check and to-json exit 0, to-json matches parse, fmt keeps the value', async (name) => {
    const p = path.join(CORPUS, name);
    const text = fs.readFileSync(p, 'utf8');
    expect(await runCli(['sdn', 'check', p])).toEqual({ code: 0, stdout: '', stderr: '' });
    const r = await runCli(['sdn', 'to-json', p]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(parse(text))));
    const f = await runCli(['sdn', 'fmt', '-'], text);
    expect(f.code).toBe(0);
    expect(parse(f.stdout)).toEqual(parse(text));
  });

  it('the invalid fixture fails at line 2', async () => {
    const r = await runCli(['sdn', 'to-json', path.join(CORPUS, INVALID_CORPUS)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .* at line 2, column \d+\nname Alice\n *\^\n$/);
  });

  it('get reads values from real files', async () => {
    const r = await runCli(['sdn', 'get', path.join(CORPUS, 'config__baremetal__default.sdn'), 'serial.port']);
    expect(r).toEqual({ code: 0, stdout: '/dev/ttyUSB0\n', stderr: '' });
  });
});

describe('the sdnwal bin', () => {
  // dist/ is built once by the suite's global setup (test/global-setup.ts); building it again
  // here would rewrite files that other tests' child processes are loading.
  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'dist/cli/commands/sdn.js'))) throw new Error('dist/ is not built: run npm run build');
  });

  it('runs `sdn to-json` and `sdn check` as a real process', () => {
    const p = file('c.sdn', CONFIG);
    const ok = spawnSync(process.execPath, [path.join(ROOT, 'bin/sdnwal.js'), 'sdn', 'to-json', p, '--compact'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ server: { host: 'localhost', port: 8080 }, users: [{ id: 1, name: 'Alice Chen' }, { id: 2, name: 'Bob' }] });
    const bad = spawnSync(process.execPath, [path.join(ROOT, 'bin/sdnwal.js'), 'sdn', 'check', '-'], { input: 'a: [1\n', encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: .* at line 1, column 4\n/);
  });
});
