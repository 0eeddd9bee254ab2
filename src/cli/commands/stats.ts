/** `sdnwal stats`: per table rows, log size, entries since the snapshot, snapshot age, spool and quarantine. */
import fs from 'node:fs';
import { isNatsUrl } from '../../store/store.js';
import { SdnwalError } from '../../errors.js';
import { readSnapshotMeta } from '../../snapshot/meta.js';
import { currentBootId, readControlAt } from '../../wal/control.js';
import { isWrite } from '../../wal/entry.js';
import { tablePaths, type TablePaths } from '../../wal/paths.js';
import { listQuarantine } from '../../wal/quarantine.js';
import { scanSegment } from '../../wal/reader.js';
import { readWalDir } from '../../wal/segment.js';
import { segmentPath } from '../../wal/tail.js';
import { type Command, type CommandContext, EXIT_FAILURE, EXIT_OK, needPositionals, writeReport } from '../command.js';
import { locateInStore } from '../errors.js';
import { openReadOnly } from '../util/open.js';

const USAGE = 'sdnwal stats <dir> [--json]';

export interface TableStats {
  table: string;
  rows: number;
  /** Segment files in the log (including the one generation kept behind the snapshot). */
  segments: number;
  /** Bytes of all segment files. */
  logBytes: number;
  /** Segment files above the snapshot, and their bytes: what the next compaction folds. */
  segmentsAboveSnapshot: number;
  bytesAboveSnapshot: number;
  /** Write entries in the log above the snapshot. */
  entriesSinceSnapshot: number;
  absorbedSegment: number;
  snapshotBytes: number;
  /** Seconds since the snapshot file was last replaced; null without a snapshot. */
  snapshotAgeSeconds: number | null;
  /** Writes queued in the spool, not yet drained into the log. */
  spool: number;
  quarantinedBytes: number;
  /** Damage a reader met (stats repairs nothing: see `sdnwal recover`). */
  problems: string[];
}

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

function spoolLength(paths: TablePaths): number {
  try {
    return fs.readdirSync(paths.spool).filter((n) => n.endsWith('.w') || n.includes('.claimed.')).length;
  } catch {
    return 0;
  }
}

/** Gather one table's numbers, reading only (segments by path, no lock, no O_CREAT). */
export async function tableStats(dir: string, name: string, countRows: () => Promise<number>, now = Date.now()): Promise<TableStats> {
  const paths = tablePaths(dir, name);
  const meta = readSnapshotMeta(paths.snapshot);
  const absorbed = meta?.absorbedSegment ?? 0;
  const { segments } = readWalDir(paths.wal);
  const s: TableStats = {
    table: name,
    rows: 0,
    segments: segments.length,
    logBytes: 0,
    segmentsAboveSnapshot: 0,
    bytesAboveSnapshot: 0,
    entriesSinceSnapshot: 0,
    absorbedSegment: absorbed,
    snapshotBytes: fileSize(paths.snapshot),
    snapshotAgeSeconds: null,
    spool: spoolLength(paths),
    quarantinedBytes: listQuarantine(paths.quarantine).filter((q) => q.table === name).reduce((n, q) => n + q.length, 0),
    problems: [],
  };
  try {
    // The meta's written-at; an adopted file has none, so its modification time stands in.
    const written = meta?.writtenAt ? Date.parse(meta.writtenAt) : fs.statSync(paths.snapshot).mtimeMs;
    if (Number.isFinite(written)) s.snapshotAgeSeconds = Math.max(0, Math.round((now - written) / 1000));
  } catch {
    // No snapshot file (a table known only by its log).
  }
  const control = readControlAt(paths.lock);
  const live = control !== undefined && control.bootId === currentBootId();
  for (const seg of segments) {
    const file = segmentPath(paths, seg);
    const size = fileSize(file);
    s.logBytes += size;
    if (seg <= absorbed) continue;
    s.segmentsAboveSnapshot++;
    s.bytesAboveSnapshot += size;
    try {
      // The active segment is read to the published end only: bytes past it may be a batch being written now.
      const to = live && control.activeSeg === seg ? control.publishedEnd : undefined;
      const r = scanSegment({ path: file }, { segNo: seg, to, expect: meta?.tableId ? { table: name, tableId: meta.tableId } : { table: name }, onEntry: (e) => void (isWrite(e) && s.entriesSinceSnapshot++) });
      if (r.headerProblem && r.headerProblem !== 'short') s.problems.push(`segment ${seg}: header ${r.headerProblem}`);
      for (const d of r.damage) s.problems.push(`segment ${seg} offset ${d.offset}: ${d.kind} (${d.reason})`);
    } catch (err) {
      // Deleted by a compaction while we looked: the numbers are a moment's view anyway.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  try {
    s.rows = await countRows();
  } catch (err) {
    if (!(err instanceof SdnwalError)) throw err;
    s.problems.push(`rows: ${err.message}`);
  }
  return s;
}

function formatStats(dir: string, all: TableStats[]): string {
  if (all.length === 0) return `${dir}: no tables`;
  const lines = [`${dir}: ${all.length} table${all.length === 1 ? '' : 's'}`];
  for (const s of all) {
    lines.push(
      '',
      `${s.table}`,
      `  rows                    ${s.rows}`,
      `  segments                ${s.segments} (${s.logBytes} bytes; ${s.segmentsAboveSnapshot} above the snapshot, ${s.bytesAboveSnapshot} bytes)`,
      `  entries since snapshot  ${s.entriesSinceSnapshot}`,
      `  snapshot                ${s.snapshotBytes} bytes, absorbed segment ${s.absorbedSegment}, ${s.snapshotAgeSeconds === null ? 'none' : `${s.snapshotAgeSeconds} s old`}`,
      `  spool                   ${s.spool} queued write${s.spool === 1 ? '' : 's'}`,
      `  quarantined             ${s.quarantinedBytes} bytes`,
    );
    for (const p of s.problems) lines.push(`  problem                 ${p}`);
  }
  return lines.join('\n');
}

async function run(ctx: CommandContext): Promise<number> {
  const [dir] = needPositionals(ctx, 1, 1, USAGE) as [string];
  if (isNatsUrl(dir)) {
    const { formatStatsNats, statsNats } = await import('../../nats/cli.js');
    const r = await statsNats(dir);
    writeReport(ctx, r, formatStatsNats);
    return r.tables.some((s) => s.problems.length > 0) ? EXIT_FAILURE : EXIT_OK;
  }
  const store = await openReadOnly(dir);
  const all: TableStats[] = [];
  try {
    for (const name of await store.listTables()) {
      all.push(await tableStats(store.dir, name, async () => (await store.table(name)).count()));
    }
  } catch (err) {
    throw locateInStore(err, dir);
  } finally {
    await store.close();
  }
  writeReport(ctx, { dir: store.dir, tables: all }, (r) => formatStats(r.dir, r.tables));
  return all.some((s) => s.problems.length > 0) ? EXIT_FAILURE : EXIT_OK;
}

export const statsCommand: Command = {
  name: 'stats',
  summary: 'per table: rows, log size, entries since the snapshot, spool, quarantine',
  usage: USAGE,
  help: `For each table: rows, segment files and log bytes (and how much lies above the
snapshot, i.e. what the next compaction folds), write entries since the snapshot, the
snapshot's size, absorbed segment and age, queued spool writes, and bytes in quarantine/.
Read-only: takes no lock and repairs nothing. Exit 1 if a reader met damage (listed as
problems; see \`sdnwal recover\`). --json prints {"dir","tables":[...]}.`,
  options: { json: { type: 'boolean' } },
  run,
};
