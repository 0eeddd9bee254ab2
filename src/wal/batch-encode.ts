/**
 * Encoding a batch of queued writes into frame payloads, before the table lock is taken (other
 * processes then wait only for the write itself). Each write gets `synced` = what this process
 * knows is durable of its active segment. A batch stops at MAX_BATCH_BYTES of payload (at least
 * one write); the writes past it are handed back for the next batch.
 */
import { SdnwalError } from '../errors.js';
import { encodeEntry, type PendingWrite } from './entry.js';
import type { Waiter } from './group-commit.js';

/** One write as the caller gives it; `synced` is filled in when its frame is encoded. */
export type WriteRequest = Omit<PendingWrite, 'synced' | 'spoolId'>;

/** A batch is at most this many payload bytes (one write and one fdatasync of at most ~1 MiB). */
export const MAX_BATCH_BYTES = 1024 * 1024;

export interface Queued {
  write: WriteRequest;
  waiter: Waiter;
}

/** A batch encoded for the segment open as `fd` (its `synced` fields refer to that segment). */
export interface Encoded {
  fd: number | undefined;
  ok: Queued[];
  payloads: Buffer[];
  /** Writes left for the next batch (past MAX_BATCH_BYTES), not encoded. */
  rest: Queued[];
}

export interface EncodeOptions {
  synced: number;
  fd: number | undefined;
  maxEntryBytes: number;
  /** The caller checked every value (the Table does): skip the encoder's decode-back check. */
  trusted: boolean;
  /** Stop at MAX_BATCH_BYTES (false when encoding a batch again after a roll). @default true */
  bounded?: boolean;
  /**
   * One write that cannot be encoded, or is over maxEntryBytes, throws for the whole batch
   * (a checked write's entries are all or nothing) instead of being rejected alone.
   */
  allOrNothing?: boolean;
}

function tooLarge(bytes: number, max: number): SdnwalError {
  return new SdnwalError('ENTRY_TOO_LARGE', `entry of ${bytes} bytes exceeds maxEntryBytes (${max}); split it into smaller writes`);
}

/**
 * Encode `batch`. A write that cannot be encoded, or is over maxEntryBytes, is rejected alone and
 * never fails the others (unless allOrNothing).
 */
export function encodeBatch(batch: Queued[], o: EncodeOptions): Encoded {
  const ok: Queued[] = [];
  const payloads: Buffer[] = [];
  let bytes = 0;
  for (let i = 0; i < batch.length; i++) {
    if (o.bounded !== false && bytes >= MAX_BATCH_BYTES) return { fd: o.fd, ok, payloads, rest: batch.slice(i) };
    const q = batch[i]!;
    let payload: Buffer;
    try {
      // The write object is the writer's from append() on: stamp it rather than copy it.
      const entry = q.write as PendingWrite;
      entry.synced = o.synced;
      payload = encodeEntry(entry, !o.trusted);
      if (payload.length > o.maxEntryBytes) throw tooLarge(payload.length, o.maxEntryBytes);
    } catch (err) {
      if (o.allOrNothing) throw err;
      q.waiter.reject(err);
      continue;
    }
    ok.push(q);
    payloads.push(payload);
    bytes += payload.length;
  }
  return { fd: o.fd, ok, payloads, rest: [] };
}
