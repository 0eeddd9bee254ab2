/** A NATS store through openStore(): CRUD, count, all, get across two store handles. */
import { describe, expect, test } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { openStore } from '../../src/store/store.js';
import { runCli } from '../helpers/cli.js';
import { HAVE_NATS, oneNode, testNats } from './setup.js';

describe.skipIf(!HAVE_NATS)('NATS store: basics (one node)', () => {
  const node = oneNode();
  const open = node.open;

  test('insert, update, delete, get, all, count across two handles', async () => {
    const a = await open();
    const b = await open();
    const ta = await a.table('todos', { key: 'id', columns: ['id', 'title', 'n'] });
    await ta.insert({ id: 't1', title: 'one', n: 1 });
    await ta.insertMany([{ id: 't2', title: 'two', n: 2 }, { id: 't3', title: 'three', n: 3 }]);
    await ta.update({ id: 't1', n: 10 });
    await ta.delete('t3');
    // Another handle needs no options: the definition is stored with the stream.
    const tb = await b.table('todos');
    expect(tb.key).toBe('id');
    expect(tb.columns).toEqual(['id', 'title', 'n']);
    expect(await tb.count()).toBe(2);
    expect(await tb.get('t1')).toEqual({ id: 't1', title: 'one', n: 10 });
    expect((await tb.all()).map((r) => r.id).sort()).toEqual(['t1', 't2']);
    await tb.insert({ id: 't4', title: 'four', n: 4 });
    // Caught up with every acknowledged write of the other handle.
    expect(await ta.count()).toBe(3);
    expect(await ta.get('t4')).toEqual({ id: 't4', title: 'four', n: 4 });
    expect(await a.listTables()).toContain('todos');
  });

  test('options are checked against the stored definition', async () => {
    const a = await open();
    await a.table('defs', { key: 'id', columns: ['id', 'x'] });
    const b = await open();
    await expect(b.table('defs', { key: 'other' })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    await expect(b.table('defs', { key: 'id', columns: ['id', 'y'] })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    await expect(b.table('missing')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    const ro = await open({ readOnly: true });
    await expect(ro.table('missing2')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(a.table('x', { key: 'id', columns: ['id', 'x'] }).then((t) => t.insert({ id: 1, nope: 2 } as never))).rejects.toMatchObject({ code: 'INVALID_RECORD' });
  });

  test('many appends in flight from one handle, then a compaction; a fresh reader sees snapshot + stream', async () => {
    const a = await open();
    const t = await a.table('bulk', { key: 'id', columns: ['id', 'n'] });
    await Promise.all(Array.from({ length: 500 }, (_, i) => t.insert({ id: `k${i}`, n: i })));
    const r1 = await t.compact();
    expect(r1.skipped).toBe(false);
    expect(r1.rows).toBe(500);
    expect(r1.absorbedSegment).toBe(500);
    await Promise.all(Array.from({ length: 100 }, (_, i) => t.update({ id: `k${i}`, n: -i })));
    await t.delete('k499');
    const b = await open();
    const tb = await b.table('bulk');
    expect(await tb.count()).toBe(499);
    expect(await tb.get('k5')).toEqual({ id: 'k5', n: -5 });
    expect(await tb.get('k200')).toEqual({ id: 'k200', n: 200 });
    // A second compaction purges what the first snapshot absorbed (one generation kept).
    const r2 = await t.compact();
    expect(r2.entriesApplied).toBe(101);
    const c = await open();
    expect(await (await c.table('bulk')).count()).toBe(499);
  });

  test('auto-compaction\'s threshold counts what is logged above the snapshot, not the generation the stream keeps', async () => {
    const a = await open();
    const t = await a.table('auto', { key: 'id' });
    await Promise.all(Array.from({ length: 200 }, (_, i) => t.insert({ id: `k${i}`, pad: 'x'.repeat(200) })));
    expect((await t.compactIfAbove(10_000)).skipped).toBe(false);
    // The stream still holds those 200 entries' bytes (kept until the next compaction); one entry is above.
    await t.insert({ id: 'one', pad: 'z'.repeat(200) });
    const r = await t.compactIfAbove(10_000);
    expect(r.skipped).toBe(true);
    expect(r.reason).toMatch(/threshold/);
    await Promise.all(Array.from({ length: 100 }, (_, i) => t.insert({ id: `m${i}`, pad: 'y'.repeat(200) })));
    expect((await t.compactIfAbove(10_000)).skipped).toBe(false);
    expect(await t.count()).toBe(301);
  });

  test('a read-only store opened before any snapshot bucket existed finds the snapshots written later', async () => {
    const url = `${node.server.url}?prefix=early`;
    const ro = await open({ readOnly: true }, url);
    const early = await open({}, url);
    const t = await early.table('late', { key: 'id' });
    await t.insert({ id: 'a' });
    // Compactions make the bucket and purge the stream's start: the reader must read the snapshot.
    for (let i = 0; i < 3; i++) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => t.insert({ id: `r${i}-${j}` })));
      await t.compact();
    }
    const tr = await ro.table('late');
    expect(await tr.count()).toBe(61);
    const fresh = await open({ readOnly: true }, url);
    expect(await (await fresh.table('late')).count()).toBe(61);
  });

  test('an entry larger than the servers take is ENTRY_TOO_LARGE, before anything is sent', async () => {
    const a = await open();
    const t = await a.table('big', { key: 'id' });
    const rows = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, text: 'x'.repeat(64 * 1024) }));
    await expect(t.insertMany(rows)).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE', message: expect.stringMatching(/max_payload/) });
    await t.insertMany(rows.slice(0, 10));
    expect(await t.count()).toBe(10);
  });

  test('appends of one key in flight together land in the order they were made', async () => {
    const a = await open();
    const t = await a.table('order', { key: 'id' });
    const writes: Promise<unknown>[] = [t.insert({ id: 'x', n: 0 })];
    for (let i = 1; i <= 50; i++) writes.push(t.update({ id: 'x', n: i }), t.insert({ id: `other${i}`, n: i }));
    await Promise.all(writes);
    expect(await t.get('x')).toEqual({ id: 'x', n: 50 });
    expect(await t.count()).toBe(51);
  });

  test('modify and checked writes: ifAbsent, mustExist', async () => {
    const a = await open();
    const t = await a.table('checked', { key: 'id' });
    expect(await t.insert({ id: 'a', n: 1 }, { ifAbsent: true })).toBe(true);
    expect(await t.insert({ id: 'a', n: 2 }, { ifAbsent: true })).toBe(false);
    await expect(t.update({ id: 'zz', n: 1 }, { mustExist: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (let i = 0; i < 5; i++) await t.modify('a', (cur) => ({ ...cur!, n: (cur!.n as number) + 1 }));
    expect(await t.get('a')).toEqual({ id: 'a', n: 6 });
  });
});

describe.skipIf(!HAVE_NATS)('NATS store: a damaged snapshot object', () => {
  const node = oneNode();

  test('readers fall back to <table>.sdn.prev and the stream above it; verify reports it; the next compaction replaces it', async () => {
    const s = await openStore(node.server.url, { nats: { ...testNats } });
    const t = await s.table('fb', { key: 'id' });
    await Promise.all(Array.from({ length: 50 }, (_, i) => t.insert({ id: `a${i}` })));
    await t.compact();
    await Promise.all(Array.from({ length: 50 }, (_, i) => t.insert({ id: `b${i}` })));
    await t.compact();
    await t.insert({ id: 'c' });
    // Damage the current snapshot object (same table id, so it is not taken for a stale one).
    const nc = await connect({ servers: node.server.url });
    const os = await new Objm(jetstream(nc)).open('sdnwal_snapshots');
    const info = (await os.info('fb.sdn'))!;
    await os.putBlob({ name: 'fb.sdn', metadata: info.metadata }, new TextEncoder().encode('meta:\n    format: 1\n    garbage\n'));
    await nc.close();
    const r = await openStore(node.server.url, { nats: { ...testNats }, readOnly: true });
    const tr = await r.table('fb');
    expect(await tr.count()).toBe(101);
    const v = await runCli(['verify', node.server.url, '--json']);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.stdout).tables[0].problems[0]).toMatch(/damaged; readers use fb.sdn.prev/);
    const rep = await t.compact();
    expect(rep).toMatchObject({ skipped: false, rows: 101 });
    expect((await runCli(['verify', node.server.url])).code).toBe(0);
    await r.close();
    await s.close();
  });
});
