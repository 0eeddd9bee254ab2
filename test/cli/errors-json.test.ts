// Issue 14, "errors a script can rely on": with --json a failure is one {"error": {...}} object on
// stdout (the text stays on stderr), compact names each table it could not compact, every
// reporting command takes --json, and system errors on paths are typed errors, never a stack trace.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../helpers/cli.js';
import { events, seed } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

const STACK = /\n\s+at /;

/** The one JSON object on stdout of a failed --json run, after checking text and exit code. */
function jsonError(r: CliResult, exitCode = 1): Record<string, unknown> {
  expect(r.code, r.stderr).toBe(exitCode);
  expect(r.stderr).toMatch(/^error: /);
  expect(r.stderr).not.toMatch(STACK);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  const j = JSON.parse(lines[0]!) as { error: Record<string, unknown> };
  expect(Object.keys(j)).toEqual(['error']);
  expect(j.error).toMatchObject({ code: expect.any(String), message: expect.any(String), exitCode });
  return j.error;
}

describe('--json failures: one {"error"} object on stdout', () => {
  it('store commands: a missing store or table is NOT_FOUND, exit 1', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 2));
    const missing = path.join(dir, 'nope');
    for (const argv of [
      ['count', dir, 'zz', '--json'],
      ['get', dir, 'zz', 'k', '--json'],
      ['get', dir, 'a', 'no-such-key', '--json'],
      ['tail', dir, 'zz', '--json'],
      ['stats', missing, '--json'],
      ['verify', missing, '--json'],
      ['recover', missing, '--json'],
      ['compact', missing, '--json'],
      ['compact', dir, 'zz', '--json'],
    ]) {
      const e = jsonError(await runCli(argv));
      expect(e.code, argv.join(' ')).toBe('NOT_FOUND');
    }
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('bad usage stays exit 2 with the text only: the command line itself is wrong', async () => {
    const dir = tmpDir();
    for (const argv of [['count', dir, '--json'], ['stats', dir, '--bogus', '--json'], ['no-such-command', '--json'], ['recover', dir, '--salvage', '--strict', '--json']]) {
      const r = await runCli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: /);
    }
  });

  it('sdn commands: a missing file, a parse error, a missing path, a bad value', async () => {
    const dir = tmpDir();
    const missing = path.join(dir, 'nope.sdn');
    const bad = path.join(dir, 'bad.sdn');
    fs.writeFileSync(bad, 'a: [1\n');
    const good = path.join(dir, 'good.sdn');
    fs.writeFileSync(good, 'a: 1\n');
    expect(jsonError(await runCli(['sdn', 'check', missing, '--json']))).toMatchObject({ code: 'NOT_FOUND', errno: 'ENOENT', path: missing });
    expect(jsonError(await runCli(['sdn', 'get', bad, 'a', '--json']))).toMatchObject({ code: 'SDN_PARSE', line: 1, column: 4 });
    expect(jsonError(await runCli(['sdn', 'get', good, 'b', '--json']))).toMatchObject({ code: 'NOT_FOUND' });
    expect(jsonError(await runCli(['sdn', 'set', good, 'a', '{', '--json']))).toMatchObject({ code: 'JSON_PARSE' });
    expect(fs.readFileSync(good, 'utf8')).toBe('a: 1\n');
  });

  it('append: the code, the table and how many records were acknowledged before the failure', async () => {
    const dir = tmpDir();
    const input = `${JSON.stringify({ id: 'e0' })}\n{not json}\n`;
    const e = jsonError(await runCli(['append', dir, 'events', '--key', 'id', '--batch', '1', '--json'], input));
    expect(e).toMatchObject({ code: 'INVALID_LINE', table: 'events', acknowledged: 1, failingBatchWritten: 'no' });
  });

  it('without --json stdout stays empty', async () => {
    const r = await runCli(['count', path.join(tmpDir(), 'nope'), 't']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });
});

describe('compact names each table it could not compact', () => {
  it('a table whose log folder is a file fails alone: the others are compacted, exit 1', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    await seed(dir, 'c', events(0, 2));
    fs.writeFileSync(path.join(dir, 'b.wal'), 'not a folder');
    const r = await runCli(['compact', dir, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^compaction of b failed: .*b\.wal is not a directory/m);
    expect(r.stderr).not.toMatch(STACK);
    const j = JSON.parse(r.stdout) as { tables: Record<string, unknown>[] };
    expect(j.tables.map((t) => t.table)).toEqual(['a', 'b', 'c']);
    expect(j.tables[0]).toMatchObject({ table: 'a', skipped: false, rows: 3 });
    expect(j.tables[1]).toEqual({ table: 'b', error: { code: 'NOT_A_DIRECTORY', message: expect.any(String), errno: 'ENOTDIR', path: path.join(dir, 'b.wal') } });
    expect(j.tables[2]).toMatchObject({ table: 'c', skipped: false, rows: 2 });
    expect((await runCli(['tail', dir, 'c'])).stdout).toBe('');
  });

  it('a table whose snapshot is a directory is IS_A_DIRECTORY naming it; text mode names it on stderr', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    await seed(dir, 'b', events(0, 1));
    fs.rmSync(path.join(dir, 'b.sdn'));
    fs.mkdirSync(path.join(dir, 'b.sdn'));
    const r = await runCli(['compact', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^compacted a: 3 rows/m);
    expect(r.stderr).toMatch(/^compaction of b failed: .*b\.sdn is a directory where a file was expected/m);
    const j = JSON.parse((await runCli(['compact', dir, '--json'])).stdout) as { tables: Record<string, unknown>[] };
    expect(j.tables[1]).toMatchObject({ table: 'b', error: { code: 'IS_A_DIRECTORY', errno: 'EISDIR', path: path.join(dir, 'b.sdn') } });
  });

  it('says how many old segments were deleted as a number, 0 included', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 1));
    expect((await runCli(['compact', dir])).stdout).toMatch(/, 0 old segment\(s\) deleted,/);
    expect((await runCli(['compact', dir])).stdout).toMatch(/, 1 old segment\(s\) deleted,/);
  });
});

describe('every reporting command takes --json', () => {
  it('sdn to-json --json prints the same JSON as without it', async () => {
    const f = path.join(tmpDir(), 'c.sdn');
    fs.writeFileSync(f, 'server:\n    port: 8080\n');
    const plain = await runCli(['sdn', 'to-json', f]);
    const json = await runCli(['sdn', 'to-json', f, '--json']);
    expect(json).toEqual(plain);
    expect(JSON.parse(json.stdout)).toEqual({ server: { port: 8080 } });
    expect(await runCli(['sdn', 'to-json', '-', '--compact', '--json'], 'a: 1\n')).toEqual({ code: 0, stdout: '{"a":1}\n', stderr: '' });
  });

  it('every command in `sdnwal --help` except dump, demo and sdn from-json lists --json in its usage', async () => {
    const help = (await runCli(['--help'])).stdout;
    const names = [...help.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!).filter((n) => !['dump', 'demo', 'sdn'].includes(n));
    expect(names.length).toBeGreaterThan(5);
    const sdn = ['check', 'to-json', 'get', 'set', 'fmt'].map((s) => ['sdn', s]);
    for (const argv of [...names.map((n) => [n]), ...sdn]) {
      const r = await runCli([...argv, '--help']);
      expect(r.stdout, argv.join(' ')).toMatch(/^usage: .*\[--json\]/);
    }
  });
});

describe('system errors on paths are typed errors, exit 1, no stack trace', () => {
  it('a store path that is a file: NOT_A_DIRECTORY naming it', async () => {
    const file = path.join(tmpDir(), 'plain.txt');
    fs.writeFileSync(file, 'x\n');
    for (const argv of [['count', file, 't'], ['get', file, 't', 'k'], ['tail', file, 't'], ['stats', file]]) {
      const text = await runCli(argv);
      expect(text.code, argv.join(' ')).toBe(1);
      expect(text.stderr).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a directory`));
      expect(text.stderr).not.toMatch(/ENOTDIR|--debug/);
      expect(jsonError(await runCli([...argv, '--json']))).toMatchObject({ code: 'NOT_A_DIRECTORY', errno: 'ENOTDIR' });
    }
  });

  it('a table snapshot that is a directory: IS_A_DIRECTORY with its path', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 1));
    fs.rmSync(path.join(dir, 'a.sdn'));
    fs.mkdirSync(path.join(dir, 'a.sdn'));
    const e = jsonError(await runCli(['count', dir, 'a', '--json']));
    expect(e).toMatchObject({ code: 'IS_A_DIRECTORY', errno: 'EISDIR', path: path.join(dir, 'a.sdn') });
    const s = jsonError(await runCli(['stats', dir, '--json']));
    expect(s).toMatchObject({ code: 'IS_A_DIRECTORY', path: path.join(dir, 'a.sdn') });
  });

  it('an SDN file argument that is a directory: IS_A_DIRECTORY, "cannot read" and what to do', async () => {
    const dir = tmpDir();
    const r = await runCli(['sdn', 'to-json', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: cannot read ${dir}: ${dir} is a directory where a file was expected; give a file, or move the directory out of the way if it does not belong there\n`);
    expect(jsonError(await runCli(['sdn', 'check', dir, '--json']))).toMatchObject({ code: 'IS_A_DIRECTORY', errno: 'EISDIR', path: dir });
  });
});
