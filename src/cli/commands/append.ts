/** `sdnwal append`: NDJSON records from stdin into a table, streamed in batches (one log entry and one fsync a batch). */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { SdnwalError } from '../../errors.js';
import { isNatsUrl, openStore } from '../../store/store.js';
import { insertSplitting } from '../util/split-insert.js';
import { InvalidTableNameError, type TablePaths, tablePaths } from '../../wal/paths.js';
import type { SyncMode } from '../../store/options.js';
import { type Command, type CommandContext, EXIT_FAILURE, EXIT_OK, UsageError, UserError, needPositionals, writeJson, writeLine } from '../command.js';
import { describeError } from '../errors.js';
import { type Batcher, createBatcher } from '../util/batcher.js';
import { NdjsonLineError, parseRecordLine, readLines } from '../util/lines.js';
import { createProgress } from '../util/progress.js';
import { type StopSignalName, signalExitCode, stopOnSignals } from '../util/stop.js';

const USAGE = 'sdnwal append <dir> <table> [--key K] [--columns a,b,c] [--sync always|batch|none] [--batch N] [--json]';
const DEFAULT_BATCH = 1000;
/** The longest a record waits for its batch to fill, so a slow producer's records land promptly. */
const MAX_DELAY_MS = 50;
/** Errors the store raises after checking a batch and before writing any of it. */
const REJECTED_BEFORE_WRITE = new Set<string>(['INVALID_RECORD', 'ENTRY_TOO_LARGE', 'SCHEMA_MISMATCH', 'INVALID_OPTION']);

function batchSize(v: unknown): number {
  if (v === undefined) return DEFAULT_BATCH;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new UsageError(`Expected \`--batch\` to be an integer from 1 to 1000000, got \`${String(v)}\``);
  return n;
}

function syncMode(v: unknown): SyncMode | undefined {
  if (v === undefined) return undefined;
  if (v === 'always' || v === 'batch' || v === 'none') return v;
  throw new UsageError(`Expected \`--sync\` to be always, batch or none, got \`${String(v)}\``);
}

function columnList(v: unknown, key: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const cols = String(v).split(',').map((c) => c.trim());
  if (cols.some((c) => c === '')) throw new UsageError(`Expected \`--columns\` to be a comma-separated list of names, got \`${String(v)}\``);
  const dup = cols.find((c, i) => cols.indexOf(c) !== i);
  if (dup !== undefined) throw new UsageError(`Expected \`--columns\` to name each column once, got \`${dup}\` twice in \`${String(v)}\``);
  if (key !== undefined && !cols.includes(key)) throw new UsageError(`Expected \`--columns\` to include the key column \`${key}\`, got \`${String(v)}\``);
  return cols;
}

/** The table's files; a bad name is the user's typo, so a usage error (exit 2), like a bad option. */
function tableFiles(dir: string, name: string): TablePaths {
  try {
    return tablePaths(dir, name);
  } catch (err) {
    if (err instanceof InvalidTableNameError) throw new UsageError(err.message);
    throw err;
  }
}

/** A batch the store rejected (an invalid record, a lock timeout, a full disk), with its line range. */
class BatchError extends Error {
  constructor(
    first: number,
    last: number,
    cause: unknown,
    /** Records of this batch written and acknowledged before the failure (it was split in parts). */
    readonly written = 0,
  ) {
    super(`lines ${first}-${last}${written > 0 ? ` (its first ${written} record(s) were written)` : ''}: ${(cause as Error).message}`, { cause });
    this.name = 'BatchError';
  }
}

/** Feed stdin's records to `batcher` until the input ends or `signal` aborts, then write what is left. */
async function appendLines(input: Readable, batcher: Batcher<Record<string, unknown>>, signal: AbortSignal): Promise<void> {
  try {
    for await (const line of readLines(input)) {
      // Lines read after the signal are not written: what is acknowledged is a prefix of the input.
      if (signal.aborted) break;
      const rec = parseRecordLine(line);
      if (rec !== undefined) await batcher.add(rec, line.lineNo);
    }
  } catch (err) {
    // No timed write from here on; writes under way finish first, so the count reported is exact
    // (and a failed one is the earliest failure).
    batcher.dispose();
    await batcher.settle();
    // A signal destroys stdin, ending a read that could wait forever; a half-read line goes with it.
    if (!signal.aborted || err instanceof NdjsonLineError) throw err;
  }
  await batcher.flush();
}

/**
 * A line or batch that failed, with what --json needs to resume: the code (INVALID_LINE for a
 * line that is not a JSON object, else the store's: INVALID_RECORD, LOCK_TIMEOUT…), the table,
 * how many records were acknowledged before it, and whether the failing batch was written.
 */
class AppendFailure extends UserError {
  constructor(
    message: string,
    code: string,
    readonly table: string,
    readonly acknowledged: number,
    readonly failingBatchWritten: 'no' | 'unknown',
  ) {
    super(message, EXIT_FAILURE, code);
    this.name = 'AppendFailure';
  }
}

/** The error for a line or batch that failed, saying what was acknowledged before it. */
function failure(err: NdjsonLineError | BatchError, acknowledged: number, name: string): UserError {
  // Rejected before any byte was written, or (I/O, lock) an outcome the store cannot know.
  const rejected = err instanceof NdjsonLineError || (err.cause instanceof SdnwalError && REJECTED_BEFORE_WRITE.has(err.cause.code));
  // A batch split in parts (too large for one entry) may have had its first records written.
  const split = err instanceof BatchError && err.written > 0;
  const failing = split ? 'the rest of the failing batch' : 'the failing batch';
  const fate = rejected ? `${failing} was not written` : `${failing} may or may not have been written`;
  if (split) acknowledged += (err as BatchError).written;
  const code = err instanceof NdjsonLineError ? 'INVALID_LINE' : describeError(err.cause).code;
  return new AppendFailure(`${err.message}; ${acknowledged} record(s) ${split ? 'before the failing one' : 'in earlier batches'} were appended to ${name} and acknowledged, ${fate}`, code, name, acknowledged, rejected ? 'no' : 'unknown');
}

/** Say how many records were acknowledged before a signal stopped the append; the exit code a shell gives that signal. */
function reportInterrupted(ctx: CommandContext, name: string, acknowledged: number, signal: StopSignalName): number {
  if (ctx.values.json) writeJson(ctx.io.stdout, { table: name, appended: acknowledged, acknowledged, interrupted: signal });
  else writeLine(ctx.io.stderr, `interrupted by ${signal}: the first ${acknowledged} record(s) of the input were appended to ${name} and acknowledged; nothing after them was written`);
  return signalExitCode(signal);
}

async function run(ctx: CommandContext): Promise<number> {
  const [dir, name] = needPositionals(ctx, 2, 2, USAGE) as [string, string];
  const size = batchSize(ctx.values.batch);
  const sync = syncMode(ctx.values.sync);
  const key = ctx.values.key === undefined ? undefined : String(ctx.values.key);
  const columns = columnList(ctx.values.columns, key);
  const paths = tableFiles(dir, name);
  // Refuse before creating anything: a new table cannot be made without its key column.
  if (!key && !isNatsUrl(dir) && !fs.existsSync(paths.snapshot) && !fs.existsSync(paths.wal)) throw new UsageError(`table ${name} does not exist in ${dir} yet: give its key column with --key`);
  const stop = stopOnSignals();
  // The first signal ends the read; a second one kills at once (say, a write stuck waiting for the lock).
  const onStop = (): void => {
    stop.dispose();
    ctx.io.stdin.destroy();
  };
  stop.signal.addEventListener('abort', onStop, { once: true });
  try {
    const acknowledged = await appendAll(ctx, dir, name, { size, sync, key, columns }, stop.signal);
    if (stop.signal.aborted) return reportInterrupted(ctx, name, acknowledged, stop.signal.reason as StopSignalName);
    if (ctx.values.json) writeJson(ctx.io.stdout, { table: name, appended: acknowledged });
    else writeLine(ctx.io.stdout, `appended ${acknowledged} records to ${name}`);
    return EXIT_OK;
  } finally {
    stop.dispose();
  }
}

interface AppendOptions {
  size: number;
  sync: SyncMode | undefined;
  key: string | undefined;
  columns: string[] | undefined;
}

/** Open the store and table, append stdin's records; resolves to how many were acknowledged. */
async function appendAll(ctx: CommandContext, dir: string, name: string, o: AppendOptions, signal: AbortSignal): Promise<number> {
  const store = await openStore(dir, o.sync ? { sync: o.sync } : {});
  const progress = createProgress({ stream: ctx.io.stderr, tty: ctx.tty, label: `append ${name}`, unit: 'records' });
  let batcher: Batcher<Record<string, unknown>> | undefined;
  try {
    // As for a directory (checked before opening it): a new table cannot be made without its key column.
    if (!o.key && isNatsUrl(dir) && !(await store.listTables()).includes(name)) throw new UsageError(`table ${name} does not exist in ${store.dir} yet: give its key column with --key`);
    const table = await store.table(name, { ...(o.key ? { key: o.key } : {}), ...(o.columns ? { columns: o.columns } : {}) });
    const b = createBatcher<Record<string, unknown>>({
      size: o.size,
      maxDelayMs: MAX_DELAY_MS,
      // insertMany checks every record before writing any: a bad record fails its whole batch.
      write: async (records, first, last) => {
        const written = { n: 0 };
        try {
          await insertSplitting(table, records, written);
        } catch (err) {
          // Stop reading now: after a timed write, a slow producer's next line may be long in coming.
          ctx.io.stdin.destroy();
          throw new BatchError(first, last, err, written.n);
        }
        progress.update(b.acknowledged + records.length);
      },
    });
    batcher = b;
    await appendLines(ctx.io.stdin, b, signal);
    return b.acknowledged;
  } catch (err) {
    if (err instanceof NdjsonLineError || err instanceof BatchError) throw failure(err, batcher?.acknowledged ?? 0, name);
    throw err;
  } finally {
    batcher?.dispose();
    progress.finish();
    await store.close();
  }
}

export const appendCommand: Command = {
  name: 'append',
  summary: 'append NDJSON records from stdin to a table',
  usage: USAGE,
  help: `Reads one JSON object per line from stdin (blank lines are skipped) and appends them in
batches, each batch one log entry and one fsync; stdin is streamed, never read whole. A batch
is written when full or ${MAX_DELAY_MS} ms after its first record, whichever comes first, so a slow
producer's records land promptly. The store and table are created if missing (a new table
needs --key).

options:
  --key K              the key column (needed when the table is created)
  --columns a,b,c      the table's columns, in order (records with others are rejected)
  --sync MODE          always (default: each batch durable before the next), batch, none
  --batch N            records per batch (default ${DEFAULT_BATCH})
  --json               print {"table","appended"} instead of a sentence; a failure prints
                       {"error":{"code","message","exitCode","table","acknowledged",
                       "failingBatchWritten":"no"|"unknown"}}

On a line that is not a JSON object, or a record the table rejects, append stops with exit 1
and says so with its line number. Every record is checked before its batch is written, so the
failing batch writes nothing; earlier batches were written and acknowledged, and the message
says how many records that was. A bad table name or bad options exit 2 and create nothing.

On SIGINT (Ctrl-C) or SIGTERM, append stops reading, writes the records it has read whole (a
line cut off mid-way is dropped), says how many records were acknowledged and exits 130
(SIGINT) or 143 (SIGTERM), as a shell does for a killed process. Those records are the first N
of the input and nothing after them is written. The count goes to stderr, or with --json to
stdout as {"table","appended","acknowledged","interrupted":"SIGINT"}. A second signal kills at once.

Progress goes to stderr for long inputs: a bar on a terminal, a line every 2 s otherwise.

examples:
  printf '{"id":"a","n":1}\\n' | sdnwal append ./db events --key id --columns id,n`,
  options: {
    key: { type: 'string' },
    columns: { type: 'string' },
    sync: { type: 'string' },
    batch: { type: 'string' },
    json: { type: 'boolean' },
  },
  run,
};
