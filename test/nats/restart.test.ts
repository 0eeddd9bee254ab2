/**
 * A single node killed with SIGKILL while appends are in flight, restarted on the same port and
 * store directory: waiting appends are acknowledged after the restart (once each: the server's
 * duplicate window survives the restart) or fail with UNAVAILABLE, never acknowledged and lost;
 * readers and watch() carry on with no gap and no repeat.
 */
import { describe, expect, test } from 'vitest';
import { waitForJetStream } from '../helpers/nats-server.js';
import { loggedKeys, sleep } from './raw.js';
import { pacedWriter } from './paced-writer.js';
import { HAVE_NATS, oneNode } from './setup.js';

describe.skipIf(!HAVE_NATS)('NATS store: one node killed and restarted', () => {
  const node = oneNode();
  const open = node.open;

  test('kill -9 mid-write, restart: every acknowledged append once, readers and watch() go on', async () => {
    const s = await open();
    const t = await s.table('restart', { key: 'id', columns: ['id', 'n'] });
    await t.insert({ id: 'first', n: -1 });
    // A watcher in another handle, from the start: it must see each entry once, in order, across the restart.
    const w = await open({ readOnly: true });
    const tw = await w.table('restart');
    const ac = new AbortController();
    const watched: { offset: number; keys: string[] }[] = [];
    let watchError: unknown;
    const watching = (async () => {
      for await (const e of tw.watch({ signal: ac.signal, fromStart: true })) watched.push({ offset: e.offset, keys: e.rows.map((r) => r.key) });
    })().catch((err) => (watchError = err));
    // A reader in a third handle counts through the restart.
    const r = await open({ readOnly: true });
    const tr = await r.table('restart');
    const counts: number[] = [];
    const readErrors: unknown[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        try {
          counts.push(await tr.count());
        } catch (err) {
          readErrors.push(err);
        }
        await sleep(30);
      }
    })();

    const writer = pacedWriter(t, 5);
    const { acked, failed } = writer;

    while (acked.length < 400) await sleep(5);
    // A compaction under way when the server dies: it finishes after the restart or fails (UNAVAILABLE), and leaves no lease behind.
    const compacting = t.compact().then((r) => (r.skipped ? `skipped: ${r.reason}` : 'done'), (err: { code?: string }) => `failed: ${err.code}`);
    await sleep(Math.random() * 30);
    await node.server.node.kill9();
    const atKill = acked.length;
    await sleep(700);
    node.server.node.start();
    await waitForJetStream([node.server.url]);
    while (acked.length < atKill + 400 && failed.length === 0) await sleep(5);
    await writer.stop();
    reading = false;
    await reader;

    // Waiting appends were acknowledged after the restart (the deadline is far): none failed.
    expect(failed).toEqual([]);
    expect(acked).toHaveLength(writer.issued);
    const fresh = await open({ readOnly: true });
    const rows = await (await fresh.table('restart')).all();
    expect(rows).toHaveLength(writer.issued + 1);
    // Each logged once: a retry of a write the dead server had stored was dropped as a duplicate.
    const logged = await loggedKeys(node.server.url, 'sdnwal_restart');
    expect(logged).toHaveLength(writer.issued + 1);
    expect(new Set(logged).size).toBe(writer.issued + 1);
    // The reader carried on (some reads may have failed while the server was down: UNAVAILABLE only).
    for (const err of readErrors) expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect(await tr.count()).toBe(writer.issued + 1);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    // The watcher: every entry once, in order, no gap.
    const until = Date.now() + 10_000;
    while (watched.length < writer.issued + 1 && Date.now() < until && !watchError) await sleep(20);
    ac.abort();
    await watching;
    expect(watchError).toBeUndefined();
    expect(watched.map((e) => e.offset)).toEqual(Array.from({ length: writer.issued + 1 }, (_, i) => i + 1));
    expect(watched.flatMap((e) => e.keys)).toEqual(logged);
    const outcome = await compacting;
    expect(outcome).toMatch(/^(done|failed: UNAVAILABLE|skipped: nothing logged)/);
    // The compactor carries on: the next compaction runs (not blocked by a lease), and reads stay exact.
    const rep = await t.compact();
    expect(rep.reason ?? '').not.toMatch(/already running/);
    await t.insert({ id: 'after', n: 0 });
    await t.compact();
    const again = await open({ readOnly: true });
    expect(await (await again.table('restart')).count()).toBe(writer.issued + 2);
  }, 60_000);
});
