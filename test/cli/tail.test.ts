import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli/main.js';
import { openStore } from '../../src/store/store.js';
import { runCli } from '../helpers/cli.js';
import { events, seed } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

describe('sdnwal tail', () => {
  it('prints each entry above the snapshot: position, time, operation, rows, keys', async () => {
    const dir = tmpDir();
    await seed(dir, 'events', events(0, 3));
    await seed(dir, 'events', events(3, 10));
    const r = await runCli(['tail', dir, 'events']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d+:\d+  \d{4}-\d\d-\d\dT[\d:.]+Z  insert  3 rows  e0, e1, e2$/);
    expect(lines[1]).toMatch(/  insert  7 rows  e3, e4, e5, e6, e7, … \(\+2\)$/);
  });

  it('--json prints one object a line; deletes and updates show their operation', async () => {
    const dir = tmpDir();
    await seed(dir, 'events', events(0, 2));
    const store = await openStore(dir);
    const t = await store.table('events');
    await t.update({ id: 'e1', n: 10 });
    await t.delete('e0');
    await store.close();
    const r = await runCli(['tail', dir, 'events', '--json']);
    const entries = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(entries.map((e) => [e.operation, e.rows, e.keys])).toEqual([
      ['insert', 2, ['e0', 'e1']],
      ['update', 1, ['e1']],
      ['delete', 1, ['e0']],
    ]);
    expect(entries[0]).toEqual({ segment: expect.any(Number), offset: expect.any(Number), operation: 'insert', rows: 2, keys: ['e0', 'e1'], timestamp: expect.any(String) });
    expect(entries[1].offset).toBeGreaterThan(entries[0].offset);
  });

  it('after a compaction the folded entries are no longer shown', async () => {
    const dir = tmpDir();
    await seed(dir, 'events', events(0, 3));
    expect((await runCli(['compact', dir])).code).toBe(0);
    await seed(dir, 'events', events(3, 4));
    const r = await runCli(['tail', dir, 'events', '--json']);
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).keys)).toEqual([['e3']]);
  });

  it('--follow prints entries committed later, across a compaction, until SIGINT', async () => {
    const dir = tmpDir();
    await seed(dir, 'events', events(0, 1));
    const out = new PassThrough();
    let stdout = '';
    out.on('data', (c) => (stdout += c));
    const until = async (re: RegExp): Promise<void> => {
      for (let i = 0; i < 400 && !re.test(stdout); i++) await new Promise((r) => setTimeout(r, 25));
      expect(stdout).toMatch(re);
    };
    const running = cli(['tail', dir, 'events', '--follow'], { stdin: Readable.from(['']), stdout: out, stderr: new PassThrough() });
    await until(/insert  1 row  e0\n/);
    await seed(dir, 'events', events(1, 2));
    await until(/insert  1 row  e1\n/);
    expect((await runCli(['compact', dir])).code).toBe(0);
    await seed(dir, 'events', events(2, 3));
    await until(/insert  1 row  e2\n/);
    process.emit('SIGINT', 'SIGINT');
    expect(await running).toBe(0);
    // Every entry exactly once, in order.
    expect(stdout.match(/ e\d\n/g)).toEqual([' e0\n', ' e1\n', ' e2\n']);
  });
});
