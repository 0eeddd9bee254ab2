/**
 * Looking at a NATS store without changing it, for `sdnwal stats`, `verify` and `tail`
 * (docs/nats.md, "Command line"): each table's stream and snapshot, read-only.
 */
import { resolveStoreOptions, type StoreOptions } from '../store/options.js';
import type { PendingWrite } from '../wal/entry.js';
import { openNatsContext } from './backend.js';
import type { NatsContext } from './context.js';
import { readRange } from './reader.js';
import { withRetry } from './retry.js';
import { lastSequence, listTableStreams, readDefinition, streamInfo, streamName, type NatsTableDefinition } from './stream.js';
import { SdnwalError } from '../errors.js';

export interface NatsTableStats {
  table: string;
  rows: number;
  key: string;
  columns: string[] | null;
  conflict: string | null;
  stream: { name: string; messages: number; bytes: number; firstSeq: number; lastSeq: number; replicas: number; leader: string | null };
  snapshot: { bytes: number; absorbedSeq: number; writtenAt: string | null };
  /** Entries above the snapshot: what the next compaction folds. */
  entriesSinceSnapshot: number;
  problems: string[];
}

export interface NatsVerifyTable {
  table: string;
  ok: boolean;
  rows: number;
  absorbedSeq: number;
  lastSeq: number;
  entriesChecked: number;
  problems: string[];
}

/** Open a read-only context on `url`, run `fn`, close. */
export async function withNatsStore<T>(url: string, options: StoreOptions, fn: (ctx: NatsContext) => Promise<T>): Promise<T> {
  const ctx = await openNatsContext(url, resolveStoreOptions({ ...options, readOnly: true }));
  try {
    return await fn(ctx);
  } finally {
    await ctx.conn.nc.close().catch(() => undefined);
  }
}

export function listTables(ctx: NatsContext): Promise<string[]> {
  return listTableStreams(ctx.jsm, ctx.o.prefix);
}

async function definition(ctx: NatsContext, table: string): Promise<NatsTableDefinition> {
  const def = await withRetry(`opening table ${table}`, ctx.o.writeDeadlineMs, () => readDefinition(ctx.jsm, ctx.o.prefix, table));
  if (!def) throw new SdnwalError('NOT_FOUND', `no table ${table} at ${ctx.conn.location} (prefix ${ctx.o.prefix})`);
  return def;
}

/** The entries above the snapshot (what `sdnwal tail` prints without --follow). */
export async function tailEntries(ctx: NatsContext, table: string, each: (seq: number, w: PendingWrite) => void): Promise<void> {
  const def = await definition(ctx, table);
  const stream = streamName(def.prefix, def.table);
  const absorbed = await ctx.bucket.absorbed(def);
  const { last } = await withRetry(`reading the state of stream ${stream}`, ctx.o.writeDeadlineMs, () => lastSequence(ctx.jsm, stream));
  await readRange(ctx, stream, absorbed + 1, last, (seq, w) => each(seq, w));
}

export async function tableStats(ctx: NatsContext, table: string, rows: () => Promise<number>): Promise<NatsTableStats> {
  const def = await definition(ctx, table);
  const stream = streamName(def.prefix, def.table);
  const info = await withRetry(`reading stream ${stream}`, ctx.o.writeDeadlineMs, () => streamInfo(ctx.jsm, stream));
  if (!info) throw new SdnwalError('NOT_FOUND', `stream ${stream} no longer exists`);
  const snap = await ctx.bucket.info(def);
  const problems: string[] = [];
  if (snap.absorbedSeq > 0 && info.state.first_seq > snap.absorbedSeq + 1 && info.state.messages > 0) {
    problems.push(`stream starts at ${info.state.first_seq}, above the snapshot's absorbed sequence ${snap.absorbedSeq} + 1: entries are missing`);
  }
  return {
    table,
    rows: await rows(),
    key: def.key,
    columns: def.columns,
    conflict: def.conflict ?? null,
    stream: { name: stream, messages: info.state.messages, bytes: info.state.bytes, firstSeq: info.state.first_seq, lastSeq: info.state.last_seq, replicas: info.config.num_replicas, leader: info.cluster?.leader ?? null },
    snapshot: snap,
    entriesSinceSnapshot: Math.max(0, info.state.last_seq - snap.absorbedSeq),
    problems,
  };
}

/** Verify a table: its snapshot parses and matches its CRCs, and the stream above it is whole and decodes. */
export async function verifyTable(ctx: NatsContext, table: string): Promise<NatsVerifyTable> {
  const problems: string[] = [];
  const def = await definition(ctx, table);
  const stream = streamName(def.prefix, def.table);
  let absorbed = 0;
  let rows = 0;
  try {
    const snap = await ctx.bucket.load(def);
    if (snap.fellBack) problems.push(`snapshot ${def.table}.sdn is damaged; readers use ${def.table}.sdn.prev (the next compaction replaces it)`);
    absorbed = snap.absorbed;
    rows = snap.rows.size;
  } catch (err) {
    problems.push(`snapshot: ${(err as Error).message}`);
    return { table, ok: false, rows, absorbedSeq: absorbed, lastSeq: 0, entriesChecked: 0, problems };
  }
  const state = await withRetry(`reading the state of stream ${stream}`, ctx.o.writeDeadlineMs, () => lastSequence(ctx.jsm, stream));
  let expected = absorbed + 1;
  let checked = 0;
  try {
    await readRange(ctx, stream, absorbed + 1, state.last, (seq) => {
      if (seq !== expected) problems.push(`stream ${stream}: sequences ${expected}..${seq - 1} are missing above the snapshot`);
      expected = seq + 1;
      checked++;
    });
    if (expected <= state.last) problems.push(`stream ${stream}: read ended at ${expected - 1}, before its last sequence ${state.last}`);
  } catch (err) {
    problems.push((err as Error).message);
  }
  return { table, ok: problems.length === 0, rows, absorbedSeq: absorbed, lastSeq: state.last, entriesChecked: checked, problems };
}
