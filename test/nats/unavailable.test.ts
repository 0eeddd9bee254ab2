/** A NATS store whose server goes away: appends fail with UNAVAILABLE after the deadline, and go on once it is back. */
import { afterAll, describe, expect, test } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { startNatsServer, waitForJetStream, type NatsSingle } from '../helpers/nats-server.js';
import { HAVE_NATS } from './setup.js';

describe.skipIf(!HAVE_NATS)('NATS store: servers unavailable', () => {
  let server: NatsSingle | undefined;
  let store: Store | undefined;
  afterAll(async () => {
    await store?.close().catch(() => undefined);
    await server?.stop();
  });

  test('no answer within writeDeadlineMs: UNAVAILABLE; after a restart the same handle writes and reads again', async () => {
    server = await startNatsServer();
    store = await openStore(server.url, { nats: { ackTimeoutMs: 300, writeDeadlineMs: 1500 } });
    const t = await store.table('gone', { key: 'id' });
    await t.insert({ id: 'a' });
    await server.node.kill9();
    const t0 = Date.now();
    await expect(t.insert({ id: 'b' })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/not acknowledged within 1500 ms/) });
    expect(Date.now() - t0).toBeLessThan(10_000);
    server.node.start();
    await waitForJetStream([server.url]);
    await t.insert({ id: 'c' });
    expect((await t.all()).map((r) => r.id).filter((id) => id !== 'b')).toEqual(['a', 'c']);
  });

  test('nothing listening: openStore fails with UNAVAILABLE', async () => {
    await expect(openStore('nats://127.0.0.1:1', { nats: { connectTimeoutMs: 500 } })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  test('a store closed while its server is down: a pending watch() ends (done), close() returns', async () => {
    const srv = await startNatsServer();
    try {
      const s = await openStore(srv.url, { nats: { ackTimeoutMs: 300, writeDeadlineMs: 3000 } });
      const t = await s.table('w', { key: 'id' });
      await t.insert({ id: 'a' });
      // One watch started before the kill, one whose start request is in flight at the kill.
      const started = t.watch({});
      await new Promise((r) => setTimeout(r, 200));
      const a = started.next();
      const b = t.watch({ fromStart: false }).next();
      const killed = srv.node.kill9();
      await killed;
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      await s.close();
      expect(Date.now() - t0).toBeLessThan(5000);
      await expect(a).resolves.toEqual({ done: true, value: undefined });
      await expect(b).resolves.toEqual({ done: true, value: undefined });
    } finally {
      await srv.stop();
    }
  });
});
