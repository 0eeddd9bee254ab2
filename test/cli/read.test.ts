import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from '../../src/sdn/index.js';
import { runCli } from '../helpers/cli.js';
import { events, seed } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

/** A store with table `events` holding e0..e4. */
async function store(): Promise<string> {
  const dir = tmpDir();
  await seed(dir, 'events', events(0, 5));
  return dir;
}

function listing(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('read commands on a missing store or table', () => {
  for (const cmd of [['count'], ['get', 'k'], ['dump'], ['tail']]) {
    it(`${cmd[0]}: a missing store exits 1 with a message and creates nothing`, async () => {
      const dir = path.join(tmpDir(), 'nope');
      const argv = [cmd[0]!, dir, 'events', ...cmd.slice(1)];
      const r = await runCli(argv);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: no store at ${dir}\n`);
      expect(fs.existsSync(dir)).toBe(false);
    });

    it(`${cmd[0]}: a missing table exits 1 and creates nothing`, async () => {
      const dir = await store();
      const before = listing(dir);
      const r = await runCli([cmd[0]!, dir, 'other', ...cmd.slice(1)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: no table other in /);
      expect(listing(dir)).toEqual(before);
    });
  }
});

describe('sdnwal count', () => {
  it('prints the number, or {"table","count"} with --json', async () => {
    const dir = await store();
    expect(await runCli(['count', dir, 'events'])).toEqual({ code: 0, stdout: '5\n', stderr: '' });
    const j = await runCli(['count', dir, 'events', '--json']);
    expect(JSON.parse(j.stdout)).toEqual({ table: 'events', count: 5 });
  });

  it('bad usage exits 2', async () => {
    expect((await runCli(['count', tmpDir()])).code).toBe(2);
  });
});

describe('sdnwal get', () => {
  it('prints `column: value` lines, strings as they are and other values as JSON', async () => {
    const dir = await store();
    const r = await runCli(['get', dir, 'events', 'e3']);
    expect(r).toEqual({ code: 0, stdout: 'id: e3\nn: 3\nnote: note, "3"\n', stderr: '' });
  });

  it('--json prints the row as one JSON object', async () => {
    const dir = await store();
    const r = await runCli(['get', dir, 'events', 'e2', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(events(2, 3)[0]);
  });

  it('a missing key exits 1 with "no row with key"', async () => {
    const dir = await store();
    const r = await runCli(['get', dir, 'events', 'zz']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: no row with key "zz" in table events\n' });
  });
});

describe('sdnwal dump', () => {
  it('prints NDJSON by default, one row a line', async () => {
    const dir = await store();
    const r = await runCli(['dump', dir, 'events']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(events(0, 5));
  });

  it('--format json prints one array', async () => {
    const dir = await store();
    const r = await runCli(['dump', dir, 'events', '--format', 'json']);
    expect(JSON.parse(r.stdout)).toEqual(events(0, 5));
  });

  it('--format sdn prints a named table that parses back to the rows', async () => {
    const dir = await store();
    const r = await runCli(['dump', dir, 'events', '--format', 'sdn']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('events |id, n, note|');
    expect(parse(r.stdout)).toEqual({ events: events(0, 5) });
  });

  it('an unknown format exits 2', async () => {
    const dir = await store();
    const r = await runCli(['dump', dir, 'events', '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format/);
  });
});
