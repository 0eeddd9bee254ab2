/**
 * A 3-node JetStream cluster (R3 streams) under faults: kill -9 a follower, then the stream leader,
 * while 64 appends are in flight; restart them. Every acknowledged key is present, none is logged
 * twice, counts are exact, and readers and the compactor carry on.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { openStore, type Store } from '../../src/store/store.js';
import { decodeEntry, type PendingWrite } from '../../src/wal/entry.js';
import { startNatsCluster, waitForJetStream, type NatsCluster, type NatsNode } from '../helpers/nats-server.js';
import { killWritersAndCheck } from './killed-writers.js';
import { pacedWriter } from './paced-writer.js';
import { HAVE_NATS, testNats } from './setup.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAVE_NATS)('NATS store: 3-node cluster', () => {
  let cluster: NatsCluster;
  const stores: Store[] = [];

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    await cluster?.stop();
  });

  /** The node that leads `stream` now (asked again through failures until one answers). */
  async function streamLeader(stream: string): Promise<NatsNode> {
    for (let i = 0; i < 200; i++) {
      try {
        const nc = await connect({ servers: cluster.url.split(','), timeout: 2000 });
        try {
          const jsm = await jetstreamManager(nc, { timeout: 2000 });
          const leader = (await jsm.streams.info(stream)).cluster?.leader;
          if (leader) return cluster.nodes.find((n) => n.name === leader)!;
        } finally {
          await nc.close();
        }
      } catch {
        // An election, or the node we reached is restarting: ask again.
      }
      await sleep(100);
    }
    throw new Error(`stream ${stream} has no leader`);
  }

  /** Every write entry in the stream, decoded (what the log holds, above any purge). */
  async function streamWrites(stream: string): Promise<PendingWrite[]> {
    const nc = await connect({ servers: cluster.url.split(','), timeout: 2000 });
    try {
      const js = jetstream(nc);
      const jsm = await jetstreamManager(nc);
      const { state } = await jsm.streams.info(stream);
      const out: PendingWrite[] = [];
      if (state.messages === 0) return out;
      const c = await js.consumers.get(stream, { opt_start_seq: state.first_seq });
      const msgs = await c.consume({ max_messages: 500 });
      for await (const m of msgs) {
        out.push(decodeEntry(m.data) as PendingWrite);
        if (m.seq >= state.last_seq) break;
      }
      return out;
    } finally {
      await nc.close();
    }
  }

  test('kill -9 a follower, then the stream leader, during 64-in-flight appends; restart: exact', async () => {
    const s = await openStore(cluster.url, { nats: { ...testNats, replicas: 3, maxInFlight: 64 } });
    stores.push(s);
    const t = await s.table('faults', { key: 'id', columns: ['id', 'n'] });
    const stream = 'sdnwal_faults';
    const w = pacedWriter(t, 10);
    const { acked, failed } = w;
    // Checked writes go on through the faults too: a retried conditional publish must not count twice.
    await t.insert({ id: 'counter', n: 0 });
    let increments = 0;
    let stop = false;
    const modifying = (async () => {
      while (!stop) {
        await t.modify('counter', (cur) => ({ id: 'counter', n: (cur!.n as number) + 1 }));
        increments++;
      }
    })().catch((err) => failed.push(err));
    // A reader in another store handle keeps counting through the faults.
    const r = await openStore(cluster.url, { nats: { ...testNats }, readOnly: true });
    stores.push(r);
    const tr = await r.table('faults');
    let finished = false;
    const counts: number[] = [];
    const reading = (async () => {
      while (!finished) {
        counts.push(await tr.count());
        await sleep(20);
      }
    })();

    while (acked.length < 500 && failed.length === 0) await sleep(5);
    const leader1 = await streamLeader(stream);
    const follower = cluster.nodes.find((n) => n !== leader1)!;
    await follower.kill9();
    const atFollowerKill = acked.length;
    await sleep(300);
    follower.start();
    const leader2 = await streamLeader(stream);
    while (acked.length < atFollowerKill + 1000 && failed.length === 0) await sleep(5);
    await leader2.kill9();
    const atLeaderKill = acked.length;
    await sleep(500);
    leader2.start();
    // Appends go on under the new leader, and after the old one is back.
    while (acked.length < atLeaderKill + 1000 && failed.length === 0) await sleep(5);
    await waitForJetStream(cluster.nodes.map((n) => n.url), 30_000);
    stop = true;
    await w.stop();
    await modifying;
    const total = w.issued + 1; // and the counter row
    finished = true;
    await reading;
    expect(counts.length).toBeGreaterThan(2);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    // The faults hit appends in flight (not a finished run).
    console.log(`acknowledged at the follower's kill: ${atFollowerKill}, at the leader's: ${atLeaderKill}; ${total} in all; ${increments} modify() increments`);

    expect(failed).toEqual([]);
    expect(acked).toHaveLength(w.issued);
    // Readers see every acknowledged key, exactly.
    expect(await tr.count()).toBe(total);
    const fresh = await openStore(cluster.url, { nats: { ...testNats }, readOnly: true });
    stores.push(fresh);
    expect(await (await fresh.table('faults')).count()).toBe(total);
    const rows = await tr.all();
    expect(new Set(rows.map((x) => x.id)).size).toBe(total);
    // None logged twice: the stream holds each key once (the retries were dropped as duplicates).
    const logged = (await streamWrites(stream)).flatMap((w) => w.rows.map((row) => row.key)).filter((k) => k !== 'counter');
    expect(logged).toHaveLength(total - 1);
    expect(new Set(logged).size).toBe(total - 1);
    // Every acknowledged modify counted exactly once.
    expect(increments).toBeGreaterThan(0);
    expect(await tr.get('counter')).toEqual({ id: 'counter', n: increments });
    // The compactor carries on, and appends after it too.
    const rep = await t.compact();
    expect(rep).toMatchObject({ skipped: false, rows: total });
    await t.insert({ id: 'after', n: -1 });
    expect(await tr.count()).toBe(total + 1);
  }, 120_000);

  test('writer processes killed with SIGKILL mid-write on R3: every acknowledged key once', async () => {
    await killWritersAndCheck(cluster.url, 'killedr3', { writers: 3, rounds: 2, outstanding: 64, replicas: 3 });
  }, 60_000);
});
