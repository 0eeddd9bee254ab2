/** One error base class with stable string codes; messages may change, codes may not. */

export type ErrorCode =
  | 'SDN_PARSE'
  | 'SDN_STRINGIFY'
  | 'LOCK_TIMEOUT'
  | 'QUEUE_FULL'
  | 'CONFLICT'
  | 'INVALID_RECORD'
  | 'INVALID_TABLE_NAME'
  | 'INVALID_OPTION'
  | 'SCHEMA_MISMATCH'
  | 'CORRUPT_LOG'
  | 'CORRUPT_SNAPSHOT'
  | 'SNAPSHOT_FALLBACK'
  | 'FOREIGN_SEGMENT'
  | 'ENTRY_TOO_LARGE'
  | 'DISK_FULL'
  | 'IO_ERROR'
  | 'REENTRANT'
  | 'CLOSED'
  | 'NOT_FOUND'
  | 'HANDLE_FAILED'
  | 'SEGMENT_EXISTS'
  | 'WATCH_GAP'
  | 'UNSAFE_PATH'
  | 'UNSUPPORTED'
  /** A NATS store: the servers did not acknowledge (or answer) within the deadline (docs/nats.md). */
  | 'UNAVAILABLE';

export class SdnwalError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An fdatasync of a log segment failed (docs/protocol.md §4 step 7, docs/wal-format.md "Durability"): the kernel may
 * have dropped the dirty pages and reports the error once, so the writer that saw it fails its
 * handle until the store is reopened (recovery runs then). Code IO_ERROR.
 */
export class SyncFailedError extends SdnwalError {
  constructor(file: string, cause: unknown) {
    super('IO_ERROR', `fdatasync of ${file} failed (${(cause as Error)?.message ?? cause}); what it was to cover is not acknowledged; reopen the store (recovery runs on open)`, { cause });
  }
}

/**
 * A file of the store (lock, segment, snapshot, spool, temp file) is a symbolic link: sdnwal never
 * follows one inside a store, so a planted link cannot make it write outside the store or read
 * another file as its own. (A store directory that is itself a link is fine.)
 */
export class UnsafePathError extends SdnwalError {
  constructor(file: string, cause?: unknown) {
    super('UNSAFE_PATH', `${file} is a symbolic link; sdnwal does not follow links inside a store. Remove it (or replace it with the real file) and try again`, { cause });
  }
}

/** Line and column (1-based) of `offset` in `text`, computed only when an error is reported. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The source line holding `offset`, and a caret under its column. */
export function caretExcerpt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  const src = text.slice(start, end).replace(/\r$/, '');
  const col = Math.max(0, Math.min(offset - start, src.length));
  return `${src}\n${' '.repeat(col)}^`;
}

export class SdnParseError extends SdnwalError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly excerpt: string;
  /** The message without the position suffix. */
  readonly reason: string;
  constructor(reason: string, text: string, offset: number) {
    const { line, column } = lineColumn(text, offset);
    super('SDN_PARSE', `${reason} at line ${line}, column ${column}`);
    this.reason = reason;
    this.offset = offset;
    this.line = line;
    this.column = column;
    this.excerpt = caretExcerpt(text, offset);
  }
}

export class LockTimeoutError extends SdnwalError {
  readonly holderPid: number | undefined;
  constructor(file: string, timeoutMs: number, holderPid?: number) {
    super(
      'LOCK_TIMEOUT',
      `could not lock ${file} within ${timeoutMs} ms` +
        (holderPid ? ` (held by pid ${holderPid})` : '') +
        '; raise lockTimeoutMs or use onLockTimeout: "spool"',
    );
    this.holderPid = holderPid;
  }
}

export class ConflictError extends SdnwalError {
  readonly key: string;
  readonly expectedVersion: number;
  readonly actualVersion: number;
  constructor(key: string, expectedVersion: number, actualVersion: number) {
    super('CONFLICT', `version conflict on key ${JSON.stringify(key)}: expected version ${expectedVersion}, stored version is ${actualVersion}`);
    this.key = key;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

export class CorruptLogError extends SdnwalError {
  readonly file: string;
  readonly offset: number;
  constructor(file: string, offset: number, reason: string) {
    super('CORRUPT_LOG', `corrupt log: ${file} at offset ${offset}: ${reason}; run \`sdnwal recover <dir> --salvage\` to keep every valid frame and quarantine the damage`);
    this.file = file;
    this.offset = offset;
  }
}
