import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { runCli } from '../helpers/cli.js';
import { EVENT_COLUMNS, events, ndjson } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

const COLS = EVENT_COLUMNS.join(',');

async function rows(dir: string, table: string): Promise<Record<string, unknown>[]> {
  const store = await openStore(dir, { readOnly: true });
  try {
    return await (await store.table(table)).all();
  } finally {
    await store.close();
  }
}

describe('sdnwal append', () => {
  it('appends NDJSON records from stdin, creating store and table, and says how many', async () => {
    const dir = path.join(tmpDir(), 'db');
    const r = await runCli(['append', dir, 'events', '--key', 'id', '--columns', COLS, '--batch', '3'], ndjson(events(0, 10)) + '\n');
    expect(r).toEqual({ code: 0, stdout: 'appended 10 records to events\n', stderr: '' });
    expect(await rows(dir, 'events')).toEqual(events(0, 10));
  });

  it('--json prints {"table","appended"}; a second append needs no --key', async () => {
    const dir = tmpDir();
    await runCli(['append', dir, 'events', '--key', 'id', '--columns', COLS], ndjson(events(0, 2)));
    const r = await runCli(['append', dir, 'events', '--json', '--sync', 'none'], ndjson(events(2, 5)));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ table: 'events', appended: 3 });
    expect((await rows(dir, 'events')).map((x) => x.id)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it('an invalid JSON line: exit 1 naming the line; earlier batches are written, the failing batch is not', async () => {
    const dir = tmpDir();
    const input = ndjson(events(0, 4)) + '{"id": "e4", n: 4}\n' + ndjson(events(5, 6));
    const r = await runCli(['append', dir, 'events', '--key', 'id', '--columns', COLS, '--batch', '3'], input);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: line 5: invalid JSON .*; 3 record\(s\) in earlier batches were appended to events and acknowledged, the failing batch was not written\n$/);
    expect(r.stdout).toBe('');
    expect((await rows(dir, 'events')).map((x) => x.id)).toEqual(['e0', 'e1', 'e2']);
  });

  it('a record the table rejects fails its whole batch, naming the batch\u2019s lines', async () => {
    const dir = tmpDir();
    const input = ndjson([...events(0, 2), { id: 'bad', n: 1, other: true }, ...events(3, 4)]);
    const r = await runCli(['append', dir, 'events', '--key', 'id', '--columns', COLS, '--batch', '2'], input);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: lines 3-4: .*; 2 record\(s\) in earlier batches were appended to events and acknowledged, the failing batch was not written/);
    expect((await rows(dir, 'events')).map((x) => x.id)).toEqual(['e0', 'e1']);
  });

  it('a line that is not an object is rejected', async () => {
    const r = await runCli(['append', tmpDir(), 'events', '--key', 'id'], '[1,2]\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: line 1: expected a JSON object, got an array/);
  });

  it('a new table without --key is a usage error and creates nothing', async () => {
    const dir = path.join(tmpDir(), 'db');
    const r = await runCli(['append', dir, 'events'], ndjson(events(0, 1)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: table events does not exist in .* yet: give its key column with --key/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('bad options and arguments exit 2 without a stack trace', async () => {
    const dir = tmpDir();
    for (const argv of [
      ['append', dir],
      ['append', dir, 'events', 'extra'],
      ['append', dir, 'events', '--key', 'id', '--batch', '0'],
      ['append', dir, 'events', '--key', 'id', '--sync', 'sometimes'],
      ['append', dir, 'events', '--key', 'id', '--columns', 'id,,n'],
      ['append', dir, 'events', '--nope'],
    ]) {
      const r = await runCli(argv, '');
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('an invalid table name exits 2 (bad usage) and creates nothing', async () => {
    const dir = path.join(tmpDir(), 'db');
    const r = await runCli(['append', dir, '../escape', '--key', 'id'], ndjson(events(0, 1)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid table name/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('--help explains what happens to earlier batches', async () => {
    const r = await runCli(['append', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: sdnwal append <dir> <table>/);
    expect(r.stdout).toMatch(/earlier batches were written and acknowledged/);
  });

  it('a batch too large for one log entry is written in parts, in input order', async () => {
    const dir = tmpDir();
    // 40 records of 1 MiB: one entry would be 40 MiB, over the 16 MiB limit of an entry.
    const big = Array.from({ length: 40 }, (_, i) => ({ id: `b${String(i).padStart(2, '0')}`, blob: 'x'.repeat(1024 * 1024) }));
    const r = await runCli(['append', dir, 'big', '--key', 'id', '--json', '--sync', 'none'], ndjson(big));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ table: 'big', appended: 40 });
    expect((await rows(dir, 'big')).map((x) => x.id)).toEqual(big.map((b) => b.id));
  });

  it('a record too large alone fails after the records before it were written, and says so', async () => {
    const dir = tmpDir();
    const input = [{ id: 'a', v: 1 }, { id: 'b', v: 2 }, { id: 'c', blob: 'x'.repeat(17 * 1024 * 1024) }, { id: 'd', v: 4 }];
    const r = await runCli(['append', dir, 't', '--key', 'id', '--json', '--sync', 'none'], ndjson(input));
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout).error;
    expect(out).toMatchObject({ code: 'ENTRY_TOO_LARGE', acknowledged: 2, failingBatchWritten: 'no' });
    // a and b went in c's batch (then split) or in one of their own (the 50 ms timer while c was read).
    expect(out.message).toMatch(/2 record\(s\) (before the failing one|in earlier batches) were appended to t and acknowledged, (the rest of )?the failing batch was not written/);
    expect((await rows(dir, 't')).map((x) => x.id)).toEqual(['a', 'b']);
  });
});
