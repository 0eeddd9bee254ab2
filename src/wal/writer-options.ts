/** A log writer's options and their defaults, spelled once. */
import type { SyncMode } from './acks.js';
import { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_MS, DEFAULT_MAX_ENTRY_BYTES, DEFAULT_SEGMENT_BYTES } from './constants.js';

/**
 * Writer options with the defaults filled in: the one place they are spelled (the store's tables,
 * recovery's spool drain and the cron compactor's roll all build theirs here).
 */
export function writerOptions(o: Partial<WriterOptions> & Pick<WriterOptions, 'lockTimeoutMs'>): WriterOptions {
  return {
    sync: 'always',
    batchMs: DEFAULT_BATCH_MS,
    batchBytes: DEFAULT_BATCH_BYTES,
    segmentBytes: DEFAULT_SEGMENT_BYTES,
    maxEntryBytes: DEFAULT_MAX_ENTRY_BYTES,
    onLockTimeout: 'error',
    ...o,
  };
}

export interface WriterOptions {
  sync: SyncMode;
  /** 'batch' mode: fdatasync at most this long after a write. */
  batchMs: number;
  /** 'batch' mode: fdatasync once this many bytes are unsynced. */
  batchBytes: number;
  segmentBytes: number;
  maxEntryBytes: number;
  lockTimeoutMs: number;
  onLockTimeout: 'error' | 'spool';
  /** The caller checked every value (the Table does), so encoding skips its decode-back check. */
  trustedValues?: boolean;
  /**
   * 'always' mode: fdatasync on the main thread right after the write (default), or in libuv's
   * threadpool (false) so the event loop runs on during the flush.
   */
  inlineSync?: boolean;
}
