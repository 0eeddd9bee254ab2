/** `sdnwal compact`: fold tables' logs into fresh snapshots, once (cron) or every interval until stopped. */
import fs from 'node:fs';
import { recoverStoreOnOpen } from '../../recovery/index.js';
import { compactTable, type CompactReport } from '../../compaction/compactor.js';
import { readSnapshotMeta } from '../../snapshot/meta.js';
import { tablePaths } from '../../wal/paths.js';
import { isNatsUrl } from '../../store/store.js';
import { type Command, type CommandContext, EXIT_FAILURE, EXIT_OK, NotFoundError, needPositionals, writeJson, writeLine } from '../command.js';
import { describeError, errorObject, locateInStore } from '../errors.js';
import { openReadOnly } from '../util/open.js';
import { parseDuration } from '../util/duration.js';
import { stopOnSignals } from '../util/stop.js';

const USAGE = 'sdnwal compact <dir> [table...] [--every 5m] [--json]';

/** `code` and `message` always; `path`, `errno`, `file`, `offset`... when the error has them. */
export type TableError = { code: string; message: string } & Record<string, unknown>;
export type TableOutcome = CompactReport | { table: string; error: TableError };

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function describe(o: TableOutcome): string {
  if ('error' in o) return `compaction of ${o.table} failed: ${o.error.message}`;
  if (o.skipped) return /running|held|locked/i.test(o.reason ?? '') || !o.reason ? `compaction of ${o.table} already running; skipped` : `compaction of ${o.table} skipped: ${o.reason}`;
  return `compacted ${o.table}: ${o.rows} rows, ${o.entriesApplied} entries applied, table files ${formatBytes(o.bytesBefore)} -> ${formatBytes(o.bytesAfter)}, absorbed segment ${o.absorbedSegment}, ${o.deletedSegments.length} old segment(s) deleted, ${Math.round(o.ms)} ms`;
}

/**
 * Recover and compact one table on its own (not through openStore, which recovers every table
 * first): a damaged or unreadable table then fails alone and the others are still compacted.
 */
async function compactAlone(dir: string, name: string): Promise<CompactReport> {
  await recoverStoreOnOpen(dir, 'tolerate-tail', { tables: [name] });
  const paths = tablePaths(dir, name);
  return compactTable(paths, undefined, { force: true, key: readSnapshotMeta(paths.snapshot)?.key, inWorker: true });
}

/** A table that could not be compacted: its code and message (and path, errno... when known). */
function failed(name: string, err: unknown, dir: string): TableOutcome {
  return { table: name, error: errorObject(describeError(locateInStore(err, dir, [name])), false) as TableError };
}

/** Compact `names` (or every table) once; a table's failure is reported, and the others still run. */
export async function compactOnce(dir: string, names: string[]): Promise<TableOutcome[]> {
  if (isNatsUrl(dir)) return (await import('../../nats/cli.js')).compactNats(dir, names);
  if (!fs.existsSync(dir)) throw new NotFoundError(`no store at ${dir}`);
  for (const n of names) {
    const p = tablePaths(dir, n);
    // Checked here so that compacting a misspelt table creates nothing.
    if (!fs.existsSync(p.snapshot) && !fs.existsSync(p.wal)) throw new NotFoundError(`no table ${n} in ${dir}`);
  }
  const tables = names.length > 0 ? [...new Set(names)] : await listTables(dir);
  if (tables.length === 0) throw new NotFoundError(`no tables in ${dir}`);
  const out: TableOutcome[] = [];
  for (const name of tables) {
    try {
      out.push(await compactAlone(dir, name));
    } catch (err) {
      out.push(failed(name, err, dir));
    }
  }
  return out;
}

async function listTables(dir: string): Promise<string[]> {
  const store = await openReadOnly(dir);
  try {
    return await store.listTables();
  } finally {
    await store.close();
  }
}

async function run(ctx: CommandContext): Promise<number> {
  const [dir, ...names] = needPositionals(ctx, 1, Infinity, USAGE) as [string, ...string[]];
  for (const n of names) tablePaths(dir, n);
  const everyMs = ctx.values.every === undefined ? undefined : parseDuration(String(ctx.values.every), '--every');
  const report = (outcomes: TableOutcome[]): boolean => {
    // A failed table is named on stderr with --json too, so a cron log shows it either way.
    if (ctx.values.json) writeJson(ctx.io.stdout, { tables: outcomes });
    for (const o of outcomes) if ('error' in o || !ctx.values.json) writeLine('error' in o ? ctx.io.stderr : ctx.io.stdout, describe(o));
    return outcomes.every((o) => !('error' in o));
  };
  if (everyMs === undefined) return report(await compactOnce(dir, names)) ? EXIT_OK : EXIT_FAILURE;
  // The loop: a signal ends the wait between runs at once, but never interrupts a running compaction.
  const stop = stopOnSignals();
  let ok = true;
  try {
    while (!stop.signal.aborted) {
      ok = report(await compactOnce(dir, names)) && ok;
      await stop.sleep(everyMs);
    }
  } finally {
    stop.dispose();
  }
  return ok ? EXIT_OK : EXIT_FAILURE;
}

export const compactCommand: Command = {
  name: 'compact',
  summary: 'fold tables\u2019 logs into fresh .sdn snapshots',
  usage: USAGE,
  help: `Compacts the named tables, or every table in the store. Writers are not blocked: the
active segment is sealed under the table lock in milliseconds, the rest runs without it.
If another compactor is running on a table, prints "compaction of TABLE already running;
skipped" and still exits 0 (cron overlap is normal).

options:
  --every DURATION   run again every DURATION (30s, 5m, 1h; 1 ms to 596h, the longest a
                     timer can wait) until SIGINT/SIGTERM; a signal lets the running
                     compaction finish, then exits
  --json             one JSON object a run: {"tables": [report, ...]}; a report is
                     {table, skipped, reason?, entriesApplied, rows, bytesBefore, bytesAfter,
                     ms, absorbedSegment, deletedSegments} or, for a table that could not
                     be compacted, {table, error: {code, message, path?, errno?, ...}}

Each table is recovered and compacted on its own: one that fails (damage, a file of the
wrong kind, a lock timeout) is named on stderr and in the JSON, and the others are still
compacted; the run then exits 1. Exit 1 too if the store does not exist (with --json:
{"error": {...}} on stdout); exit 2 (bad usage) for an --every outside those bounds.

example (cron):  */5 * * * *  sdnwal compact /var/lib/todos`,
  options: { every: { type: 'string' }, json: { type: 'boolean' } },
  run,
};
