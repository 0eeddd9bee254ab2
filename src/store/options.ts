/** Store and table options: typed, documented and validated in one place, with one message template. */
import { RECOVERY_POLICIES, type RecoveryPolicy } from '../recovery/report.js';
import type { z } from 'zod';
import { SdnwalError } from '../errors.js';
import { isZodSchema, once, zod } from '../zod-lazy.js';
import { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_MS, DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_MAX_ENTRY_BYTES, DEFAULT_SEGMENT_BYTES } from '../wal/constants.js';
import type { SyncMode, WriterOptions } from '../wal/writer.js';
import { natsOptionsSchema, resolveNatsOptions, type NatsOptions, type ResolvedNatsOptions } from '../nats/options.js';

export type { SyncMode };
export type { RecoveryPolicy };
export type ConflictStrategy = 'error' | 'last-write-wins' | 'last-modified-wins' | 'merge';

export interface StoreOptions {
  /** When an append resolves: 'always' after fdatasync (default), 'batch' after the write with an fdatasync every batchMs/batchBytes, 'none' after the write. */
  readonly sync?: SyncMode;
  /**
   * 'always' mode: fdatasync on the main thread right after the write, as SQLite does (default:
   * the fastest, the event loop waits for the disk for one flush per batch; appends that arrive
   * meanwhile share the next one). false: fdatasync in libuv's threadpool, so timers and I/O go
   * on during the flush, at ~100 µs more per append. @default true
   */
  readonly inlineSync?: boolean;
  /** 'batch' mode: the longest an acknowledged write stays unsynced. @default 50 */
  readonly batchMs?: number;
  /** 'batch' mode: fdatasync once this many bytes are unsynced. @default 1 MiB */
  readonly batchBytes?: number;
  /** Writers roll the active segment when it passes this size. @default 64 MiB */
  readonly segmentBytes?: number;
  /** Largest encoded entry; larger writes fail with ENTRY_TOO_LARGE before anything is written. @default 16 MiB */
  readonly maxEntryBytes?: number;
  /** How long a write waits for the table lock. @default 10000 */
  readonly lockTimeoutMs?: number;
  /** What recovery at open does with damage (see README, Recovery). @default 'tolerate-tail' */
  readonly recovery?: RecoveryPolicy;
  /** In-process compaction: every `everyMs` (1 to 2^31 - 1 ms), of tables whose log holds at least `afterBytes` above the snapshot. */
  readonly autoCompact?: { readonly everyMs?: number; readonly afterBytes?: number } | false;
  /** Open for reading only: create nothing, take no lock, repair nothing. @default false */
  readonly readOnly?: boolean;
  /** A store at a `nats://` URL: replicas, name prefix, the append pipeline and its deadlines (docs/nats.md). */
  readonly nats?: NatsOptions;
}

export interface TableOptions<R extends Record<string, unknown> = Record<string, unknown>> {
  /** The key column. Needed when the table is created (or adopted from a plain .sdn file). */
  readonly key?: string;
  /** The columns in order; when given, records with other columns are INVALID_RECORD. Stored with the table. */
  readonly columns?: readonly string[];
  /** Optional zod object schema every inserted record must pass. */
  readonly schema?: z.ZodType<R>;
  /** Turns versioning on (rows carry `version` and `last_modified`) and picks the conflict strategy. */
  readonly conflict?: ConflictStrategy;
  /** For conflict 'merge': combine the stored row and the incoming one. Default: fields the caller gave win. */
  readonly merge?: (stored: R, incoming: Partial<R>) => R;
  readonly sync?: SyncMode;
  readonly lockTimeoutMs?: number;
  /** On a lock timeout, fail ('error', default) or queue the write durably in the spool ('spool'). */
  readonly onLockTimeout?: 'error' | 'spool';
  /**
   * Names (the table's, its columns and key when it is created; a record's columns and nested
   * keys when it is written) must follow the portable rule of docs/sdn.md, so the Simple language's
   * own SDN parser reads the snapshot; others are INVALID_TABLE_NAME / INVALID_OPTION / INVALID_RECORD.
   * false lifts the rule: the snapshot may then hold names Simple's parser cannot read. @default true
   */
  readonly portableNames?: boolean;
}

/** The longest delay a Node timer takes (2^31 - 1 ms, ~24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The options' zod schemas, built on first need: options that pass the hand checks below (every
 * valid option but odd ones) never load zod, and zod names what is wrong with the rest.
 */
const schemas = once(() => {
  const z = zod();
  const positiveInt = z.number().int().positive();
  const timerMs = positiveInt.max(MAX_TIMER_MS, `at most ${MAX_TIMER_MS} ms (~24.8 days), the longest a timer can wait`);

  const store = z
    .object({
      sync: z.enum(['always', 'batch', 'none']),
      inlineSync: z.boolean(),
      batchMs: timerMs,
      batchBytes: positiveInt,
      segmentBytes: z.number().int().min(4096),
      maxEntryBytes: z.number().int().min(64).max(256 * 1024 * 1024),
      lockTimeoutMs: z.number().int().min(0).max(MAX_TIMER_MS, `at most ${MAX_TIMER_MS} ms (~24.8 days), the longest a timer can wait`),
      recovery: z.enum(RECOVERY_POLICIES),
      autoCompact: z.union([z.literal(false), z.object({ everyMs: timerMs.optional(), afterBytes: positiveInt.optional() }).strict()]),
      readOnly: z.boolean(),
      nats: natsOptionsSchema,
    })
    .strict()
    .partial();

  const table = z
    .object({
      key: z.string().min(1),
      columns: z.array(z.string().min(1)).min(1),
      schema: z.custom<z.ZodType>((v) => v instanceof z.ZodType, 'a zod schema'),
      conflict: z.enum(['error', 'last-write-wins', 'last-modified-wins', 'merge']),
      merge: z.custom<(a: unknown, b: unknown) => unknown>((v) => typeof v === 'function', 'a function'),
      sync: z.enum(['always', 'batch', 'none']),
      lockTimeoutMs: z.number().int().min(0).max(MAX_TIMER_MS, `at most ${MAX_TIMER_MS} ms (~24.8 days), the longest a timer can wait`),
      onLockTimeout: z.enum(['error', 'spool']),
      portableNames: z.boolean(),
    })
    .strict()
    .partial();
  return { store, table };
});

/** One option's hand check: true only for values its schema above accepts. */
type Rules = Record<string, (v: unknown) => boolean>;

const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const oneOf = (values: readonly unknown[]) => (v: unknown) => values.includes(v);
const isSync = oneOf(['always', 'batch', 'none']);

/**
 * Whether `v` is an options object the schema (strict, every key optional) accepts, checked by
 * `rules` alone. False also for what the rules do not know (a key without a rule): zod decides then.
 */
function passes(rules: Rules, v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  for (const k in o) if (!Object.hasOwn(rules, k)) return false;
  for (const k of Object.keys(rules)) if (o[k] !== undefined && !rules[k]!(o[k])) return false;
  return true;
}

const STORE_RULES: Rules = {
  sync: isSync,
  inlineSync: (v) => typeof v === 'boolean',
  batchMs: (v) => isInt(v, 1, MAX_TIMER_MS),
  batchBytes: (v) => isInt(v, 1),
  segmentBytes: (v) => isInt(v, 4096),
  maxEntryBytes: (v) => isInt(v, 64, 256 * 1024 * 1024),
  lockTimeoutMs: (v) => isInt(v, 0, MAX_TIMER_MS),
  recovery: oneOf(RECOVERY_POLICIES),
  autoCompact: (v) => v === false || passes({ everyMs: (x) => isInt(x, 1, MAX_TIMER_MS), afterBytes: (x) => isInt(x, 1) }, v),
  readOnly: (v) => typeof v === 'boolean',
};

const TABLE_RULES: Rules = {
  key: (v) => typeof v === 'string' && v.length >= 1,
  columns: (v) => {
    if (!Array.isArray(v) || v.length < 1) return false;
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string' || (v[i] as string).length < 1) return false;
    return true;
  },
  schema: isZodSchema,
  conflict: oneOf(['error', 'last-write-wins', 'last-modified-wins', 'merge']),
  merge: (v) => typeof v === 'function',
  sync: isSync,
  lockTimeoutMs: (v) => isInt(v, 0, MAX_TIMER_MS),
  onLockTimeout: oneOf(['error', 'spool']),
  portableNames: (v) => typeof v === 'boolean',
};

type Issue = Pick<z.core.$ZodIssue, 'path' | 'message'>;

/** A failed union says only "Invalid input" about itself: report the deepest issue of its branches instead. */
function innermost(issue: z.core.$ZodIssue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const inner = issue.errors.flat().map(innermost).sort((a, b) => b.path.length - a.path.length)[0]!;
  return { path: [...issue.path, ...inner.path], message: inner.message };
}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = innermost(r.error.issues[0]!);
  const at = issue.path.join('.') || what;
  const got = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey], value);
  throw new SdnwalError('INVALID_OPTION', `Expected \`${at}\` to be valid (${issue.message}), got \`${String(got)}\` (${typeof got})`);
}

export interface ResolvedStoreOptions extends Pick<WriterOptions, 'sync' | 'inlineSync' | 'batchMs' | 'batchBytes' | 'segmentBytes' | 'maxEntryBytes' | 'lockTimeoutMs'> {
  recovery: RecoveryPolicy;
  autoCompact: { everyMs: number; afterBytes: number } | false;
  readOnly: boolean;
  nats: ResolvedNatsOptions;
}

export function resolveStoreOptions(opts: StoreOptions | undefined): ResolvedStoreOptions {
  const o: StoreOptions = opts == null || passes(STORE_RULES, opts) ? (opts ?? {}) : check(schemas().store, opts, 'options');
  return {
    sync: o.sync ?? 'always',
    inlineSync: o.inlineSync ?? true,
    batchMs: o.batchMs ?? DEFAULT_BATCH_MS,
    batchBytes: o.batchBytes ?? DEFAULT_BATCH_BYTES,
    segmentBytes: o.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
    maxEntryBytes: o.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES,
    lockTimeoutMs: o.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    recovery: o.recovery ?? 'tolerate-tail',
    autoCompact: o.autoCompact ? { everyMs: o.autoCompact.everyMs ?? 60_000, afterBytes: o.autoCompact.afterBytes ?? 4 * 1024 * 1024 } : false,
    readOnly: o.readOnly ?? false,
    nats: resolveNatsOptions(o.nats),
  };
}

export function checkTableOptions(opts: TableOptions | undefined): TableOptions {
  if (!(opts == null || passes(TABLE_RULES, opts))) check(schemas().table, opts, 'options');
  const o = opts ?? {};
  if (o.columns) {
    const dup = o.columns.find((c, i) => o.columns!.indexOf(c) !== i);
    if (dup !== undefined) throw new SdnwalError('INVALID_OPTION', `Expected \`columns\` to be distinct, got \`${dup}\` twice`);
    if (o.key && !o.columns.includes(o.key)) throw new SdnwalError('INVALID_OPTION', `Expected \`columns\` to include the key column \`${o.key}\`, got \`${o.columns.join(',')}\``);
  }
  return o;
}
