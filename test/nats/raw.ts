/** Reading a table's stream directly (what the log holds), for the NATS tests' duplicate checks. */
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { decodeEntry, type PendingWrite } from '../../src/wal/entry.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every entry in `stream` with its sequence, decoded, from its first sequence to its last. */
export async function streamEntries(url: string, stream: string): Promise<{ seq: number; write: PendingWrite }[]> {
  const nc = await connect({ servers: url.split(','), timeout: 2000 });
  try {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(stream);
    const out: { seq: number; write: PendingWrite }[] = [];
    if (state.messages === 0) return out;
    const c = await js.consumers.get(stream, { opt_start_seq: state.first_seq });
    const msgs = await c.consume({ max_messages: 500 });
    for await (const m of msgs) {
      out.push({ seq: m.seq, write: decodeEntry(m.data) as PendingWrite });
      if (m.seq >= state.last_seq) break;
    }
    return out;
  } finally {
    await nc.close();
  }
}

/** The row keys the stream logs, in order (one per row of each entry). */
export async function loggedKeys(url: string, stream: string): Promise<string[]> {
  return (await streamEntries(url, stream)).flatMap((e) => e.write.rows.map((r) => r.key));
}

/** The names of the streams on the servers. */
export async function streamNames(url: string): Promise<string[]> {
  const nc = await connect({ servers: url.split(','), timeout: 2000 });
  try {
    const jsm = await jetstreamManager(nc);
    const out: string[] = [];
    for await (const s of jsm.streams.list()) out.push(s.config.name);
    return out.sort();
  } finally {
    await nc.close();
  }
}

/** Purge every message of `stream` (its last sequence stays): what a compaction's purge leaves, taken too far. */
export async function purgeStream(url: string, stream: string): Promise<void> {
  const nc = await connect({ servers: url.split(','), timeout: 2000 });
  try {
    await (await jetstreamManager(nc)).streams.purge(stream);
  } finally {
    await nc.close();
  }
}
