/** The command line with a nats:// URL where it takes <dir>. */
import { describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { HAVE_NATS, oneNode } from './setup.js';

describe.skipIf(!HAVE_NATS)('CLI on a NATS store', () => {
  const node = oneNode();

  test('append to a table that does not exist, without --key, is a usage error (exit 2) and creates nothing, as locally', async () => {
    const r = await runCli(['append', node.server.url, 'nokey'], '{"id":"a"}\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/table nokey does not exist .* yet: give its key column with --key/);
    expect((await runCli(['count', node.server.url, 'nokey'])).code).toBe(1);
  });

  test('append, count, get, dump, tail, compact, stats, verify', async () => {
    const url = node.server.url;
    const input = Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: `t${i}`, n: i })).join('\n') + '\n';
    const app = await runCli(['append', url, 'todos', '--key', 'id', '--columns', 'id,n', '--json'], input);
    expect(app.code, app.stderr).toBe(0);
    expect(JSON.parse(app.stdout)).toEqual({ table: 'todos', appended: 20 });

    expect((await runCli(['count', url, 'todos', '--json'])).stdout.trim()).toBe('{"table":"todos","count":20}');
    expect(JSON.parse((await runCli(['get', url, 'todos', 't3', '--json'])).stdout)).toEqual({ id: 't3', n: 3 });
    const dump = await runCli(['dump', url, 'todos', '--format', 'ndjson']);
    expect(dump.stdout.trim().split('\n')).toHaveLength(20);

    const tail = await runCli(['tail', url, 'todos', '--json']);
    expect(tail.code, tail.stderr).toBe(0);
    const entries = tail.stdout.trim().split('\n').map((l) => JSON.parse(l) as { offset: number; keys: string[] });
    expect(entries.flatMap((e) => e.keys)).toHaveLength(20);

    const c1 = await runCli(['compact', url, '--json']);
    expect(c1.code, c1.stderr).toBe(0);
    expect(JSON.parse(c1.stdout).tables[0]).toMatchObject({ table: 'todos', skipped: false, rows: 20 });
    const c2 = await runCli(['compact', url, 'todos']);
    expect(c2.code).toBe(0);
    expect(c2.stdout).toMatch(/skipped/);
    // Above the snapshot: nothing left to tail.
    expect((await runCli(['tail', url, 'todos'])).stdout).toBe('');

    const stats = await runCli(['stats', url, '--json']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout).tables[0]).toMatchObject({ table: 'todos', rows: 20, entriesSinceSnapshot: 0 });
    const verify = await runCli(['verify', url, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, tables: [{ table: 'todos', ok: true, rows: 20 }] });

    // Options in the URL (the CLI has no flags for them): another prefix is another store.
    const other = `${url}?prefix=other`;
    expect((await runCli(['append', other, 'todos', '--key', 'id'], '{"id":"x"}\n')).code).toBe(0);
    expect((await runCli(['count', other, 'todos'])).stdout.trim()).toBe('1');
    expect((await runCli(['count', url, 'todos'])).stdout.trim()).toBe('20');
    expect((await runCli(['count', `${url}?replicas=2`, 'todos'])).code).toBe(1);

    const missing = await runCli(['count', url, 'nope', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('NOT_FOUND');
  });
});
