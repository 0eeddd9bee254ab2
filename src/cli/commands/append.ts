/** `sdnwal append`: NDJSON records from stdin into a table, streamed in batches (one log entry and one fsync a batch). */
import fs from 'node:fs';
import { SdnwalError } from '../../errors.js';
import { openStore } from '../../store/store.js';
import { tablePaths } from '../../wal/paths.js';
import type { SyncMode } from '../../store/options.js';
import { type Command, type CommandContext, EXIT_OK, UsageError, UserError, needPositionals, writeJson, writeLine } from '../command.js';
import { NdjsonLineError, parseRecordLine, readLines } from '../util/lines.js';
import { createProgress } from '../util/progress.js';

const USAGE = 'sdnwal append <dir> <table> [--key K] [--columns a,b,c] [--sync always|batch|none] [--batch N] [--json]';
const DEFAULT_BATCH = 1000;
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

function columnList(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  const cols = String(v).split(',').map((c) => c.trim());
  if (cols.some((c) => c === '')) throw new UsageError(`Expected \`--columns\` to be a comma-separated list of names, got \`${String(v)}\``);
  return cols;
}

/** A batch the store rejected (an invalid record, a lock timeout, a full disk), with its line range. */
class BatchError extends Error {
  constructor(first: number, last: number, cause: unknown) {
    super(`lines ${first}-${last}: ${(cause as Error).message}`, { cause });
    this.name = 'BatchError';
  }
}

async function run(ctx: CommandContext): Promise<number> {
  const [dir, name] = needPositionals(ctx, 2, 2, USAGE) as [string, string];
  const size = batchSize(ctx.values.batch);
  const sync = syncMode(ctx.values.sync);
  const columns = columnList(ctx.values.columns);
  const key = ctx.values.key === undefined ? undefined : String(ctx.values.key);
  const paths = tablePaths(dir, name);
  // Refuse before creating anything: a new table cannot be made without its key column.
  if (!key && !fs.existsSync(paths.snapshot) && !fs.existsSync(paths.wal)) throw new UsageError(`table ${name} does not exist in ${dir} yet: give its key column with --key`);
  const store = await openStore(dir, sync ? { sync } : {});
  let appended = 0;
  const progress = createProgress({ stream: ctx.io.stderr, tty: ctx.tty, label: `append ${name}`, unit: 'records' });
  try {
    const table = await store.table(name, { ...(key ? { key } : {}), ...(columns ? { columns } : {}) });
    let batch: Record<string, unknown>[] = [];
    let firstLine = 0;
    let lastLine = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      // insertMany checks every record before writing any: a bad record fails its whole batch.
      try {
        await table.insertMany(batch);
      } catch (err) {
        throw new BatchError(firstLine, lastLine, err);
      }
      appended += batch.length;
      batch = [];
      progress.update(appended);
    };
    try {
      for await (const line of readLines(ctx.io.stdin)) {
        const rec = parseRecordLine(line);
        if (rec === undefined) continue;
        if (batch.length === 0) firstLine = line.lineNo;
        lastLine = line.lineNo;
        batch.push(rec);
        if (batch.length >= size) await flush();
      }
      await flush();
    } catch (err) {
      if (!(err instanceof NdjsonLineError || err instanceof BatchError)) throw err;
      // Rejected before any byte was written, or (I/O, lock) an outcome the store cannot know.
      const rejected = err instanceof NdjsonLineError || (err.cause instanceof SdnwalError && REJECTED_BEFORE_WRITE.has(err.cause.code));
      const fate = rejected ? 'the failing batch was not written' : 'the failing batch may or may not have been written';
      throw new UserError(`${err.message}; ${appended} record(s) in earlier batches were appended to ${name} and acknowledged, ${fate}`);
    }
  } finally {
    progress.finish();
    await store.close();
  }
  if (ctx.values.json) writeJson(ctx.io.stdout, { table: name, appended });
  else writeLine(ctx.io.stdout, `appended ${appended} records to ${name}`);
  return EXIT_OK;
}

export const appendCommand: Command = {
  name: 'append',
  summary: 'append NDJSON records from stdin to a table',
  usage: USAGE,
  help: `Reads one JSON object per line from stdin (blank lines are skipped) and appends them in
batches, each batch one log entry and one fsync; stdin is streamed, never read whole.
The store and table are created if missing (a new table needs --key).

options:
  --key K              the key column (needed when the table is created)
  --columns a,b,c      the table's columns, in order (records with others are rejected)
  --sync MODE          always (default: each batch durable before the next), batch, none
  --batch N            records per batch (default ${DEFAULT_BATCH})
  --json               print {"table","appended"} instead of a sentence

On a line that is not a JSON object, or a record the table rejects, append stops with exit 1
and says so with its line number. Every record is checked before its batch is written, so the
failing batch writes nothing; earlier batches were written and acknowledged, and the message
says how many records that was.

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
