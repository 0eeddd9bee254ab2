/**
 * Compaction of a NATS table (docs/nats.md, "Compaction"), one compactor per table (a lease):
 * fold the current snapshot and the stream up to its last sequence L into the same SDN text the
 * local compactor writes; store the current snapshot as `<table>.sdn.prev`, then the new one as
 * `<table>.sdn` (absorbed sequence L); only then purge the stream up to the previous snapshot's
 * absorbed sequence, so `.prev` plus the stream stays a lossless fallback (one generation kept).
 */
import { SdnwalError } from '../errors.js';
import type { CompactReport } from '../compaction/compactor.js';
import { applyWrite, emptyCounts } from '../replay/rules.js';
import type { NatsContext } from './context.js';
import { Lease } from './lease.js';
import { readRange } from './reader.js';
import { withRetry } from './retry.js';
import { renderSnapshot } from './snapshot-text.js';
import { lastSequence, streamName, type NatsTableDefinition } from './stream.js';

/** `minBytes`: compact only when the stream holds at least that much (autoCompact); otherwise always. */
export async function compactNatsTable(ctx: NatsContext, def: NatsTableDefinition, owner: string, minBytes?: number): Promise<CompactReport> {
  const t0 = performance.now();
  const stream = streamName(def.prefix, def.table);
  const deadline = ctx.o.writeDeadlineMs;
  const report = (over: Partial<CompactReport>): CompactReport => ({
    table: def.table, skipped: false, entriesApplied: 0, counts: emptyCounts(), rows: 0, segmentsAbsorbed: [], deletedSegments: [],
    bytesBefore: 0, bytesAfter: 0, ms: performance.now() - t0, absorbedSegment: 0, ...over,
  });
  const kv = await ctx.leases();
  const { lease, holder } = await Lease.take(kv, def.table, owner, undefined, deadline);
  if (!lease) return report({ skipped: true, reason: `compaction of ${def.table} already running (${holder}); skipped` });
  try {
    const snap = await ctx.bucket.load(def);
    const state = await withRetry(`reading the state of stream ${stream}`, deadline, () => lastSequence(ctx.jsm, stream));
    const snapBytes = snap.text?.length ?? 0;
    const before = snapBytes + state.bytes;
    const last = state.last;
    if (last <= snap.absorbed) {
      return report({ skipped: true, reason: `nothing logged above the snapshot (absorbed sequence ${snap.absorbed})`, rows: snap.rows.size, bytesBefore: before, bytesAfter: before, absorbedSegment: snap.absorbed });
    }
    // The stream also keeps the entries the snapshot absorbed (one generation): count only those
    // above it, estimated in proportion to their number (sequences have no holes above the purge
    // point); the threshold only decides when to compact, never what is kept.
    const above = state.messages > 0 ? Math.round((state.bytes * Math.min(state.messages, last - snap.absorbed)) / state.messages) : 0;
    if (minBytes !== undefined && above < minBytes) {
      return report({ skipped: true, reason: `about ${above} bytes logged above the snapshot, below the ${minBytes}-byte threshold`, rows: snap.rows.size, bytesBefore: before, bytesAfter: before, absorbedSegment: snap.absorbed });
    }
    const counts = emptyCounts();
    let entries = 0;
    let pos = snap.absorbed;
    const gap = (to: number): SdnwalError =>
      new SdnwalError('CORRUPT_LOG', `compaction of ${def.table}: stream ${stream} has no sequences ${pos + 1}..${to}, above the snapshot's absorbed sequence ${snap.absorbed} (purged by hand?); nothing was written`);
    const end = await readRange(ctx, stream, pos + 1, last, (seq, w) => {
      if (seq !== pos + 1) throw gap(seq - 1);
      applyWrite(snap.rows, w, counts, snap.tombstones);
      entries++;
      pos = seq;
    });
    if (end < last) throw gap(last);
    const text = renderSnapshot(def, snap.rows, snap.tombstones, snap.extra, last);
    // Still ours? (A compactor stalled past its lease must not overwrite a newer snapshot.)
    await lease.renew();
    if (snap.text && !snap.fellBack) await ctx.bucket.putPrevious(def, snap.text, snap.absorbed);
    await ctx.bucket.putCurrent(def, text, last);
    // Keep everything above the previous snapshot (now `.prev`): purge only what it absorbed.
    if (snap.absorbed > 0 && !snap.fellBack) {
      await withRetry(`purging stream ${stream} up to ${snap.absorbed}`, deadline, () => ctx.jsm.streams.purge(stream, { seq: snap.absorbed + 1 }));
    }
    const after = await withRetry(`reading the state of stream ${stream}`, deadline, () => lastSequence(ctx.jsm, stream));
    return report({ entriesApplied: entries, counts, rows: snap.rows.size, bytesBefore: before, bytesAfter: text.length + after.bytes, absorbedSegment: last });
  } finally {
    await lease.release();
  }
}
