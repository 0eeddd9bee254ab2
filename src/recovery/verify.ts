/**
 * Offline verification of a store (`verify()`, `sdnwal verify`): every table's snapshot parses and
 * matches its meta, row count and CRC; the segments above it are contiguous with headers naming
 * the table; every frame's CRCs pass; no stray files. Never writes, takes no lock, creates nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SdnwalError } from '../errors.js';
import { loadSnapshot } from '../snapshot/load.js';
import { readSnapshotMeta } from '../snapshot/meta.js';
import { readControlAt } from '../wal/control.js';
import { isWrite } from '../wal/entry.js';
import { assertTableName, tablePaths, type TablePaths } from '../wal/paths.js';
import { scanSegment } from '../wal/reader.js';
import { applyWrite, type Record_ } from '../replay/rules.js';
import { damageCode, listLog, sealProblem } from './inspect.js';
import { segmentPath } from '../wal/tail.js';
import { assertStoreDir, listTables, strayEntries } from './tables.js';
import type { Finding, TableVerify, VerifyReport } from './verify-report.js';

export interface VerifyOptions {
  /** Verify only these tables (stray files are then not looked for). @default every table */
  readonly tables?: readonly string[];
}

type Snap = { absorbed: number; tableId?: string; rows: Map<string, Record_>; prevAbsorbed?: number };

function loadOne(file: string, table: string): { absorbed: number; tableId?: string; rows: Map<string, Record_> } | undefined {
  const meta = readSnapshotMeta(file);
  if (!meta) return undefined;
  if (meta.adopted) {
    // A plain SDN file: its rows need a key column to be read as a table, which only the caller knows.
    return { absorbed: 0, rows: new Map() };
  }
  const s = loadSnapshot(file, { table, key: meta.key });
  return s && { absorbed: s.meta.absorbedSegment, tableId: s.meta.tableId, rows: s.rows };
}

function tryOne(file: string, table: string): ReturnType<typeof loadOne> | SdnwalError {
  try {
    return loadOne(file, table);
  } catch (err) {
    if (err instanceof SdnwalError) return err;
    throw err;
  }
}

function checkSnapshot(p: TablePaths, add: (f: Finding) => void, rel: (f: string) => string): Snap {
  const cur = tryOne(p.snapshot, p.table);
  const prev = fs.existsSync(p.snapshotPrev) ? tryOne(p.snapshotPrev, p.table) : undefined;
  if (prev instanceof SdnwalError) add({ severity: cur instanceof SdnwalError ? 'error' : 'warning', code: prev.code, file: rel(p.snapshotPrev), message: prev.message });
  if (fs.existsSync(p.snapshotTmp)) add({ severity: 'warning', code: 'TEMP_FILE', file: rel(p.snapshotTmp), message: 'left by a compaction that did not finish; recover deletes it' });
  if (!(cur instanceof SdnwalError)) {
    if (cur) return { ...cur, prevAbsorbed: prev instanceof SdnwalError ? undefined : prev?.absorbed };
    if (!prev || prev instanceof SdnwalError) return { absorbed: 0, rows: new Map() };
    add({ severity: 'error', code: 'CORRUPT_SNAPSHOT', file: rel(p.snapshot), message: `the snapshot is missing but ${rel(p.snapshotPrev)} exists; recover restores it` });
    return prev;
  }
  add({ severity: 'error', code: cur.code, file: rel(p.snapshot), message: cur.message });
  // Go on with the fallback recovery would use, so the log above it is checked too.
  return prev && !(prev instanceof SdnwalError) ? prev : { absorbed: 0, rows: new Map() };
}

function verifyTable(dir: string, table: string): TableVerify {
  const p = tablePaths(dir, table);
  const findings: Finding[] = [];
  const add = (f: Finding): void => void findings.push(f);
  const rel = (f: string): string => path.relative(dir, f);
  const snap = checkSnapshot(p, add, rel);
  const listing = listLog(p, snap.absorbed);
  for (const f of listing.foreign) add({ severity: 'warning', code: 'FOREIGN_FILE', file: rel(path.join(p.wal, f)), message: 'not a segment of this table; never read' });
  for (const f of listing.temps) add({ severity: 'warning', code: 'TEMP_FILE', file: rel(path.join(p.wal, f)), message: 'a segment whose creation did not finish; recover deletes it' });
  if (snap.prevAbsorbed !== undefined) {
    const old = listing.segments.filter((s) => s <= snap.prevAbsorbed!);
    if (old.length > 0) add({ severity: 'warning', code: 'ABSORBED_SEGMENTS', file: rel(p.wal), message: `segments ${old.join(', ')} were absorbed by the snapshot and its predecessor (an interrupted swap); recover deletes them` });
  }
  const above = listing.above;
  const contiguous = listing.missing === undefined;
  const report: TableVerify = { table, ok: true, rows: 0, segments: above.length, entries: 0, findings };
  if (!contiguous) {
    const missing = listing.missing!;
    add({ severity: 'error', code: 'MISSING_SEGMENT', file: rel(segmentPath(p, missing)), message: `segment ${missing} is missing; the segments above the snapshot (absorbed ${snap.absorbed}) must be contiguous` });
  }
  const control = readControlAt(p.lock);
  const expect = { table, tableId: snap.tableId };
  for (const [i, segNo] of above.entries()) {
    const file = segmentPath(p, segNo);
    const highest = i === above.length - 1;
    const r = scanSegment({ path: file }, {
      segNo,
      expect,
      sealed: !highest,
      resync: true,
      onEntry: (e) => {
        if (!isWrite(e)) return;
        report.entries++;
        if (contiguous) applyWrite(snap.rows, e);
      },
    });
    if (r.headerProblem) {
      const torn = r.headerProblem === 'short' && highest;
      add({ severity: 'error', code: r.headerProblem === 'foreign' ? 'FOREIGN_SEGMENT' : torn ? 'TORN_TAIL' : 'CORRUPT_LOG', file: rel(file), offset: 0, message: `segment header: ${r.headerProblem === 'foreign' ? `names table ${r.header?.table} (${r.header?.tableId}) segment ${r.header?.segment}` : r.headerProblem}` });
      continue;
    }
    // Past published_end a live writer may be mid-write: damage there is only a warning.
    const published = highest && control && control.activeSeg === segNo && control.publishedEnd <= r.size ? control.publishedEnd : r.size;
    for (const d of r.damage) {
      const code = damageCode(d);
      const inFlight = d.kind === 'torn-tail' && d.offset >= published;
      add({ severity: inFlight ? 'warning' : 'error', code: inFlight ? 'UNPUBLISHED_TAIL' : code, file: rel(file), offset: d.offset, message: `${d.length} byte(s): ${d.reason}` });
    }
    const seal = highest ? undefined : sealProblem(segNo, r.sealedNext);
    if (seal && !r.damage.some((d) => d.kind === 'corruption')) add({ severity: 'error', code: 'MISSING_SEAL', file: rel(file), offset: r.end, message: seal });
  }
  report.rows = snap.rows.size;
  report.ok = !findings.some((f) => f.severity === 'error');
  return report;
}

/** Verify every table of `dir` (NOT_FOUND if it does not exist). */
export async function verify(dir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const abs = assertStoreDir(dir);
  if (opts.tables) for (const t of opts.tables) assertTableName(t);
  const tables = opts.tables ? [...new Set(opts.tables)].sort() : listTables(abs);
  const report: VerifyReport = { ok: true, dir: abs, tables: [], findings: [] };
  if (!opts.tables) {
    for (const f of strayEntries(abs, tables)) report.findings.push({ severity: 'warning', code: 'STRAY_FILE', file: f, message: 'belongs to no table' });
  }
  for (const t of tables) report.tables.push(verifyTable(abs, t));
  report.ok = report.tables.every((t) => t.ok) && !report.findings.some((f) => f.severity === 'error');
  return report;
}
