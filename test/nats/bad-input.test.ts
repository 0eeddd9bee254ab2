/**
 * Bad input over NATS writes nothing: invalid table names (and non-portable names for a new
 * table), invalid records, entries larger than the servers take (a typed error before any
 * publish, saying why), read-only stores (no stream, no bucket made).
 */
import { describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { streamNames } from './raw.js';
import { HAVE_NATS, oneNode } from './setup.js';

describe.skipIf(!HAVE_NATS)('NATS store: bad input writes nothing', () => {
  const node = oneNode();
  const open = node.open;

  test('a read-only store on empty servers creates no stream and no bucket', async () => {
    const ro = await open({ readOnly: true }, `${node.server.url}?prefix=ro`);
    expect(await ro.listTables()).toEqual([]);
    await expect(ro.table('t')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(ro.table('t', { key: 'id' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await streamNames(node.server.url)).filter((n) => n.includes('ro'))).toEqual([]);
    // A read command of the CLI on a missing table: exit 1, nothing made either.
    const r = await runCli(['count', `${node.server.url}?prefix=ro`, 't', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('NOT_FOUND');
    const c = await runCli(['compact', `${node.server.url}?prefix=ro`, 't', '--json']);
    expect(c.code).toBe(1);
    expect(JSON.parse(c.stdout).error.code).toBe('NOT_FOUND');
    expect((await streamNames(node.server.url)).filter((n) => n.includes('ro'))).toEqual([]);
  });

  test('a writable store that writes nothing creates nothing: no bucket before the first snapshot', async () => {
    const url = `${node.server.url}?prefix=lazy`;
    const s = await open({}, url);
    await expect(s.table('t')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    // The CLI without --key on a missing table: refused, nothing made.
    const r = await runCli(['append', url, 't', '--json'], '{"id":"x"}\n');
    expect(r.code).not.toBe(0);
    expect((await streamNames(node.server.url)).filter((n) => n.includes('lazy'))).toEqual([]);
    // The bucket comes with the first compaction.
    const t = await s.table('t', { key: 'id' });
    await t.insert({ id: 'a' });
    expect((await streamNames(node.server.url)).filter((n) => n.includes('lazy'))).toEqual(['lazy_t']);
    await t.compact();
    expect((await streamNames(node.server.url)).filter((n) => n.includes('lazy'))).toEqual(['KV_lazy_leases', 'OBJ_lazy_snapshots', 'lazy_t']);
  });

  test('invalid and non-portable table names, non-portable columns: typed errors, no stream', async () => {
    const s = await open({}, `${node.server.url}?prefix=names`);
    for (const name of ['a.b', 'a b', '*', '>', '', 'x'.repeat(65), 'a/b']) {
      await expect(s.table(name, { key: 'id' }), name).rejects.toMatchObject({ code: 'INVALID_TABLE_NAME' });
    }
    // The portable-names rule for a new table, as on a local store.
    await expect(s.table('9lives', { key: 'id' })).rejects.toMatchObject({ code: 'INVALID_TABLE_NAME' });
    await expect(s.table('true', { key: 'id' })).rejects.toMatchObject({ code: 'INVALID_TABLE_NAME' });
    await expect(s.table('ok', { key: 'id', columns: ['id', '1st'] })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(s.table('ok2', { key: 'my key' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    expect((await streamNames(node.server.url)).filter((n) => n.startsWith('names_'))).toEqual([]);
    // portableNames: false opts out, as locally.
    await s.table('9lives', { key: 'id', portableNames: false });
    const app = await runCli(['append', `${node.server.url}?prefix=names`, 'a.b', '--key', 'id', '--json'], '{"id":"x"}\n');
    expect(app.code).toBe(2);
    expect((await streamNames(node.server.url)).filter((n) => n.startsWith('names_'))).toEqual(['names_9lives']);
  });

  test('a definition too long for a stream description: INVALID_OPTION, saying why; nothing created', async () => {
    const s = await open({}, `${node.server.url}?prefix=wide`);
    const columns = ['id', ...Array.from({ length: 300 }, (_, i) => `a_rather_long_column_name_${i}`)];
    await expect(s.table('wide', { key: 'id', columns })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/description/) });
    expect((await streamNames(node.server.url)).filter((n) => n.startsWith('wide_'))).toEqual([]);
    const ok = await s.table('wide', { key: 'id', columns: columns.slice(0, 40) });
    await ok.insert({ id: 'a' });
    expect(await ok.count()).toBe(1);
  });

  test('invalid records: INVALID_RECORD, nothing published', async () => {
    const s = await open();
    const t = await s.table('recs', { key: 'id', columns: ['id', 'n'] });
    await expect(t.insert({ id: 'a', nope: 1 } as never)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.insertMany([{ id: 'a', n: 1 }, { n: 2 } as never])).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.insert({ id: 'b', n: () => 1 } as never)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    expect(await t.count()).toBe(0);
    const r = await runCli(['append', node.server.url, 'recs', '--json'], '{"id":"c","n":1}\n{"id":"d","zz":1}\n');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('INVALID_RECORD');
    expect(await t.count()).toBe(0);
    const jsm = (await import('@nats-io/jetstream')).jetstreamManager;
    const nc = await (await import('@nats-io/transport-node')).connect({ servers: node.server.url });
    expect((await (await jsm(nc)).streams.info('sdnwal_recs')).state.last_seq).toBe(0);
    await nc.close();
  });

  test('a 2 MiB record (the servers take 1 MiB): ENTRY_TOO_LARGE before publishing, saying why; the CLI too', async () => {
    const s = await open();
    const t = await s.table('huge', { key: 'id' });
    const big = { id: 'big', text: 'x'.repeat(2 * 1024 * 1024) };
    await expect(t.insert(big)).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE', message: expect.stringMatching(/max_payload/) });
    await expect(t.insert(big, { ifAbsent: true })).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE' });
    await expect(t.modify('big', () => big)).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE' });
    // The handle goes on.
    await t.insert({ id: 'small' });
    expect(await t.count()).toBe(1);
    const r = await runCli(['append', node.server.url, 'huge', '--json'], `${JSON.stringify(big)}\n`);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'ENTRY_TOO_LARGE', failingBatchWritten: 'no' });
    // A smaller maxEntryBytes of the store is the limit.
    const small = await open({ maxEntryBytes: 1024 });
    const ts = await small.table('huge');
    await expect(ts.insert({ id: 'k', text: 'y'.repeat(2000) })).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE', message: expect.stringMatching(/1024/) });
    expect(await ts.count()).toBe(1);
  });

  test('a read-only handle refuses writes and compaction before sending anything', async () => {
    const s = await open();
    await (await s.table('rot', { key: 'id' })).insert({ id: 'a' });
    const ro = await open({ readOnly: true });
    const t = await ro.table('rot');
    await expect(t.insert({ id: 'b' })).rejects.toMatchObject({ code: expect.any(String) });
    await expect(t.compact()).rejects.toMatchObject({ code: expect.any(String) });
    expect(await t.count()).toBe(1);
  });
});
