/** Checked writes across processes on a NATS store: modify() increments, versioned conflicts, the compaction lease. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, test } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { WatchEntry } from '../../src/store/watch.js';
import { HAVE_NATS, oneNode, runWorker } from './setup.js';

describe.skipIf(!HAVE_NATS)('NATS store: concurrency (one node)', () => {
  const node = oneNode();
  const open = node.open;

  test('modify() from this process and a child process, 150 increments each: exactly 300', async () => {
    const s = await open();
    const t = await s.table('counter', { key: 'id' });
    await t.insert({ id: 'c', n: 0 });
    const child = runWorker([node.server.url, 'modify', 'counter', 'c', '150']);
    for (let i = 0; i < 150; i++) await t.modify('c', (cur) => ({ ...cur!, n: (cur!.n as number) + 1 }));
    const r = await child;
    expect(r.code, r.stderr).toBe(0);
    expect(await t.get('c')).toEqual({ id: 'c', n: 300 });
  });

  test('versioned table: expectedVersion conflicts across handles, versions never repeat after a delete', async () => {
    const a = await open();
    const b = await open();
    const da = await a.table('docs', { key: 'id', columns: ['id', 'title'], conflict: 'error' });
    await da.insert({ id: 'd1', title: 'a' });
    const db = await b.table('docs');
    expect(db.conflict).toBe('error');
    const r = await db.update({ id: 'd1', title: 'b' }, { expectedVersion: 1 });
    expect(r).toMatchObject({ outcome: 'written', version: 2 });
    await expect(da.update({ id: 'd1', title: 'c' }, { expectedVersion: 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await da.get('d1')).toMatchObject({ title: 'b', version: 2 });
    await db.delete('d1');
    await da.compact();
    await da.insert({ id: 'd1', title: 'again' });
    // The tombstone (version 3) survived the compaction: the re-insert takes version 4.
    expect(await db.get('d1')).toMatchObject({ title: 'again', version: 4 });
  });

  test('a second compaction while one holds the lease is skipped', async () => {
    const a = await open();
    const b = await open();
    const ta = await a.table('leased', { key: 'id' });
    await Promise.all(Array.from({ length: 3000 }, (_, i) => ta.insert({ id: `k${i}`, pad: 'x'.repeat(50) })));
    const tb = await b.table('leased');
    const [r1, r2] = await Promise.all([ta.compact(), tb.compact()]);
    const skipped = [r1, r2].filter((r) => r.skipped);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.reason).toMatch(/already running/);
    expect([r1, r2].find((r) => !r.skipped)!.rows).toBe(3000);
    // The lease is released: the next one runs (nothing new: skipped for that reason, not the lease).
    const r3 = await tb.compact();
    expect(r3.reason ?? '').not.toMatch(/already running/);
  });

  test('a lease left behind (a dead compactor on this machine, or a release of this process that failed) does not block the next compaction', async () => {
    const a = await open();
    const t = await a.table('leftover', { key: 'id' });
    await t.insert({ id: 'a' });
    await t.compact();
    await t.insert({ id: 'b' });
    const nc = await connect({ servers: node.server.url });
    try {
      const kv = await new Kvm(jetstream(nc)).open('sdnwal_leases');
      let pidns = '';
      try {
        pidns = fs.readlinkSync('/proc/self/ns/pid');
      } catch {
        // not Linux
      }
      let boot = '';
      try {
        boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      } catch {
        // not Linux
      }
      const here = { host: os.hostname(), boot, pidns, expires: Date.now() + 60_000 };
      // This process's pid, but no compaction of it holds the lease (its release could not reach the servers).
      await kv.put('leftover.compact', JSON.stringify({ ...here, owner: 'released-badly', pid: process.pid }));
      const r1 = await t.compact();
      expect(r1.reason ?? '').not.toMatch(/already running/);
      expect(r1.skipped).toBe(false);
      // A process of this machine that is gone (a child that has exited).
      const child = spawn(process.execPath, ['-e', '0']);
      await new Promise((r) => child.on('exit', r));
      await t.insert({ id: 'c' });
      await kv.put('leftover.compact', JSON.stringify({ ...here, owner: 'killed', pid: child.pid }));
      const r2 = await t.compact();
      expect(r2.skipped).toBe(false);
      // A live holder elsewhere (another host) is respected until its lease expires.
      await t.insert({ id: 'd' });
      await kv.put('leftover.compact', JSON.stringify({ ...here, host: 'elsewhere', owner: 'other', pid: 1 }));
      expect((await t.compact()).reason).toMatch(/already running/);
      await kv.delete('leftover.compact');
    } finally {
      await nc.close();
    }
    expect(await t.count()).toBe(4);
  });

  test('a lease bucket the servers lost (a node killed just after making it) is made again by the next compaction', async () => {
    const a = await open();
    const t = await a.table('lostbucket', { key: 'id' });
    await t.insert({ id: 'a' });
    await t.compact();
    const nc = await connect({ servers: node.server.url });
    try {
      await (await jetstreamManager(nc)).streams.delete('KV_sdnwal_leases');
    } finally {
      await nc.close();
    }
    await t.insert({ id: 'b' });
    const r = await t.compact();
    expect(r).toMatchObject({ skipped: false, rows: 2 });
  });

  test('a snapshot bucket the servers lost is looked for and made again (readers and the next compaction go on)', async () => {
    const a = await open();
    const t = await a.table('lostobj', { key: 'id' });
    await t.insert({ id: 'a' });
    // The first compaction purges nothing: the stream still holds every entry.
    await t.compact();
    const nc = await connect({ servers: node.server.url });
    try {
      await (await jetstreamManager(nc)).streams.delete('OBJ_sdnwal_snapshots');
    } finally {
      await nc.close();
    }
    const b = await open();
    expect(await (await b.table('lostobj')).count()).toBe(1);
    await t.insert({ id: 'b' });
    expect(await t.compact()).toMatchObject({ skipped: false, rows: 2 });
    const c = await open();
    expect(await (await c.table('lostobj')).count()).toBe(2);
  });

  test('watch() without fromStart starts at the end: earlier entries are not yielded', async () => {
    const a = await open();
    const t = await a.table('watch-end', { key: 'id' });
    await t.insert({ id: 'before' });
    const ac = new AbortController();
    const it = t.watch({ signal: ac.signal });
    // The start is fixed by the server's answer to the request watch() sent.
    await new Promise((r) => setTimeout(r, 300));
    await t.insert({ id: 'after' });
    const first = await it.next();
    expect((first.value as WatchEntry).rows.map((r) => r.key)).toEqual(['after']);
    ac.abort();
    expect((await it.next()).done).toBe(true);
  });

  test('watch() across compactions and purges: every entry once, in order', async () => {
    const a = await open();
    const t = await a.table('watched', { key: 'id' });
    const b = await open();
    const tw = await b.table('watched');
    const ac = new AbortController();
    const seen: string[] = [];
    const total = 300;
    // fromStart: the start is fixed by the server's answer, which another handle's appends could
    // otherwise overtake; on a new table it is sequence 1.
    const done = (async () => {
      for await (const e of tw.watch({ signal: ac.signal, fromStart: true })) {
        for (const r of e.rows) seen.push(r.key);
        if (seen.length >= total) ac.abort();
      }
    })();
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => t.insert({ id: `r${round}-${i}` })));
      await t.compact();
    }
    await done;
    const expected = [0, 1, 2].flatMap((round) => Array.from({ length: 100 }, (_, i) => `r${round}-${i}`));
    expect(seen).toEqual(expected);
    // fromStart: only what is above the snapshot (the last compaction absorbed everything).
    const ac2 = new AbortController();
    const late: string[] = [];
    await t.insert({ id: 'after' });
    setTimeout(() => ac2.abort(), 500);
    for await (const e of tw.watch({ signal: ac2.signal, fromStart: true })) late.push(...e.rows.map((r) => r.key));
    expect(late).toEqual(['after']);
  });
});
