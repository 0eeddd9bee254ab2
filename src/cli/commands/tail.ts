/** `sdnwal tail`: the log entries above the snapshot (operation, keys, time); `--follow` keeps printing new ones. */
import { readSnapshotMeta } from '../../snapshot/meta.js';
import { CaughtUp, LogFollower } from '../../store/follower.js';
import { isNatsUrl } from '../../store/store.js';
import type { PendingWrite } from '../../wal/entry.js';
import { tablePaths, type TablePaths } from '../../wal/paths.js';
import { type Command, type CommandContext, EXIT_OK, needPositionals, writeJson, writeLine } from '../command.js';
import { withReadOnlyTable } from '../util/open.js';
import { stopOnSignals } from '../util/stop.js';

const USAGE = 'sdnwal tail <dir> <table> [--follow] [--json]';
/** How often --follow looks at the control record for new entries. */
const FOLLOW_POLL_MS = 100;
/** Keys shown per entry in text output; the rest are counted. */
const SHOWN_KEYS = 5;

export interface TailEntry {
  segment: number;
  offset: number;
  operation: PendingWrite['operation'];
  rows: number;
  keys: string[];
  timestamp: string;
  spoolId?: string;
}

function toEntry(w: PendingWrite, segment: number, offset: number): TailEntry {
  const e: TailEntry = { segment, offset, operation: w.operation, rows: w.rows.length, keys: w.rows.map((r) => r.key), timestamp: new Date(w.timestamp).toISOString() };
  if (w.spoolId !== undefined) e.spoolId = w.spoolId;
  return e;
}

function formatEntry(e: TailEntry): string {
  const keys = e.keys.slice(0, SHOWN_KEYS).join(', ') + (e.keys.length > SHOWN_KEYS ? `, … (+${e.keys.length - SHOWN_KEYS})` : '');
  return `${e.segment}:${e.offset}  ${e.timestamp}  ${e.operation.padEnd(6)}  ${e.rows} row${e.rows === 1 ? '' : 's'}  ${keys}`;
}

/**
 * Reads entries in order and remembers the last one printed, so that when a compaction removes
 * the segment being read (the follower asks for a reload) it starts again above the new
 * snapshot and skips what was already shown.
 */
class EntryReader {
  private last: { segment: number; offset: number } | undefined;
  private readonly entries: CaughtUp<true>;

  constructor(paths: TablePaths) {
    this.entries = new CaughtUp(paths.table, () => {
      const meta = readSnapshotMeta(paths.snapshot);
      return { state: true, follower: new LogFollower(paths, meta?.absorbedSegment ?? 0, { table: paths.table, tableId: meta?.tableId }) };
    });
  }

  private seen(segment: number, offset: number): boolean {
    return this.last !== undefined && (segment < this.last.segment || (segment === this.last.segment && offset <= this.last.offset));
  }

  /** Deliver every committed entry not delivered yet. */
  read(each: (e: TailEntry) => void): void {
    try {
      this.entries.get((_, w, segment, offset) => {
        if (this.seen(segment, offset)) return;
        this.last = { segment, offset };
        each(toEntry(w, segment, offset));
      });
    } finally {
      this.entries.reset();
    }
  }
}

async function run(ctx: CommandContext): Promise<number> {
  const [dir, name] = needPositionals(ctx, 2, 2, USAGE) as [string, string];
  const print = (e: TailEntry): void => (ctx.values.json ? writeJson(ctx.io.stdout, e) : writeLine(ctx.io.stdout, formatEntry(e)));
  const warn = (line: string): void => writeLine(ctx.io.stderr, line);
  if (!ctx.values.follow) {
    // Opening read-only checks the store and table exist (and creates nothing).
    await withReadOnlyTable(dir, name, async () => undefined, warn);
    if (isNatsUrl(dir)) {
      // A NATS store: the position is the stream sequence (segment 0).
      const { tailNats } = await import('../../nats/cli.js');
      await tailNats(dir, name, (seq, w) => print(toEntry(w, 0, seq)));
      return EXIT_OK;
    }
    new EntryReader(tablePaths(dir, name)).read(print);
    return EXIT_OK;
  }
  // --follow: the table's watch() yields every committed entry exactly once, in log order,
  // even when a compaction absorbs segments between two polls.
  const stop = stopOnSignals();
  try {
    await withReadOnlyTable(dir, name, async (table) => {
      for await (const e of table.watch({ signal: stop.signal, fromStart: true, pollMs: FOLLOW_POLL_MS })) {
        print(toEntry({ operation: e.operation, rows: e.rows, timestamp: e.timestamp, synced: 0 }, e.segment, e.offset));
      }
    }, warn);
  } finally {
    stop.dispose();
  }
  return EXIT_OK;
}

export const tailCommand: Command = {
  name: 'tail',
  summary: 'print the log entries above the snapshot',
  usage: USAGE,
  help: `Prints each committed entry not yet folded into the snapshot, oldest first:
  SEGMENT:OFFSET  TIMESTAMP  OPERATION  ROWS  KEYS
With --json, one JSON object a line: {"segment","offset","operation","rows","keys","timestamp"}.
--follow keeps printing entries as other processes commit them (polling every ${FOLLOW_POLL_MS} ms)
until Ctrl-C; a compaction meanwhile is followed. Creates and locks nothing.`,
  options: { follow: { type: 'boolean', short: 'f' }, json: { type: 'boolean' } },
  run,
};
