/** The recovery report: what recovery found and did per table, as data and as text. */

/** What recovery may repair (docs/protocol.md §9); the one list of them. */
export const RECOVERY_POLICIES = ['tolerate-tail', 'strict', 'salvage'] as const;
export type RecoveryPolicy = (typeof RECOVERY_POLICIES)[number];

/** One byte range moved to quarantine (cut off, or padded over by salvage). */
export interface QuarantinedRange {
  segment: number;
  offset: number;
  length: number;
  reason: string;
  /** The quarantine file holding the bytes (with --dry-run: the file it would be). */
  file: string;
}

export interface TableRecovery {
  table: string;
  /** 'full': the whole sequence of docs/protocol.md §9; 'fast': the open-time tail check only. */
  mode: 'full' | 'fast';
  /** 'fallback': the snapshot was bad and `.sdn.prev` (plus its log) took its place. */
  snapshot: 'ok' | 'missing' | 'fallback';
  /** The highest segment the (possibly restored) snapshot absorbed. */
  absorbed: number;
  /** Segments above `absorbed` after recovery, ascending. */
  segments: number[];
  /** Complete, CRC-valid frames read. */
  entriesScanned: number;
  bytesScanned: number;
  /** Paths (relative to the store directory) of stale temp files deleted. */
  tempFilesRemoved: string[];
  /** Torn tails, unsynced holes and torn headers cut off after being copied to quarantine. */
  quarantined: QuarantinedRange[];
  /** Ranges padded over in place by `salvage` (their bytes are in quarantine too). */
  salvaged: QuarantinedRange[];
  /** An interrupted segment roll was finished (the next segment created). */
  rollFinished: boolean;
  /** Segments deleted because `.sdn.prev` had absorbed them (an interrupted snapshot swap). */
  deletedSegments: number[];
  /** Spooled writes drained into the log (with --dry-run: writes waiting to be drained). */
  spoolDrained: number;
  /** Files in the table's wal directory that are not segments: reported, never touched. */
  foreign: string[];
  /** A live compactor held `compact.lock`, so steps 2 and 4 were skipped. */
  compactorRunning: boolean;
  /** Human sentences, in the order things were done (or, with --dry-run, would be done). */
  actions: string[];
  /** --dry-run only: the error the real run would fail with. */
  error?: { code: string; message: string };
}

export interface RecoveryReport {
  dir: string;
  dryRun: boolean;
  policy: RecoveryPolicy;
  ms: number;
  /** False when a table could not be recovered (--dry-run: would not be). */
  ok: boolean;
  tables: TableRecovery[];
}

export interface RecoveryProgress {
  table: string;
  step: 'snapshot' | 'segments' | 'tail' | 'spool';
  segment?: number;
  /** Bytes of the table's log scanned so far, of `bytesTotal`. */
  bytesDone: number;
  bytesTotal: number;
}

export function emptyTableRecovery(table: string, mode: 'full' | 'fast'): TableRecovery {
  return {
    table,
    mode,
    snapshot: 'missing',
    absorbed: 0,
    segments: [],
    entriesScanned: 0,
    bytesScanned: 0,
    tempFilesRemoved: [],
    quarantined: [],
    salvaged: [],
    rollFinished: false,
    deletedSegments: [],
    spoolDrained: 0,
    foreign: [],
    compactorRunning: false,
    actions: [],
  };
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function range(r: QuarantinedRange): string {
  return `segment ${r.segment} bytes ${r.offset}..${r.offset + r.length} (${plural(r.length, 'byte')}): ${r.reason} -> ${r.file}`;
}

/** The report as text for a terminal: one block per table, then a summary line. */
export function formatRecoveryReport(report: RecoveryReport): string {
  const lines: string[] = [];
  const verb = report.dryRun ? 'recovery (dry run, nothing changed)' : 'recovery';
  lines.push(`${verb} of ${report.dir}, policy ${report.policy}`);
  if (report.tables.length === 0) lines.push('  no tables');
  for (const t of report.tables) {
    const segs = t.segments.length === 0 ? 'no segments' : t.segments.length === 1 ? `segment ${t.segments[0]}` : `segments ${t.segments[0]}..${t.segments.at(-1)}`;
    lines.push(`table ${t.table} (${t.mode}): snapshot ${t.snapshot}, absorbed ${t.absorbed}; ${segs} above it; ${plural(t.entriesScanned, 'entry', 'entries')} scanned`);
    if (t.compactorRunning) lines.push('  a compactor is running: temp files and absorbed segments left to it');
    for (const f of t.tempFilesRemoved) lines.push(`  temp file removed: ${f}`);
    for (const q of t.quarantined) lines.push(`  quarantined ${range(q)}`);
    for (const s of t.salvaged) lines.push(`  salvaged ${range(s)}`);
    if (t.rollFinished) lines.push('  finished an interrupted segment roll');
    if (t.deletedSegments.length > 0) lines.push(`  deleted absorbed segments ${t.deletedSegments.join(', ')}`);
    if (t.spoolDrained > 0) lines.push(`  ${plural(t.spoolDrained, 'spooled write')} ${report.dryRun ? 'waiting to be drained' : 'drained'}`);
    for (const f of t.foreign) lines.push(`  foreign file in the log directory (left alone): ${f}`);
    for (const a of t.actions) lines.push(`  - ${a}`);
    if (t.error) lines.push(`  error ${t.error.code}: ${t.error.message}`);
  }
  const cut = report.tables.reduce((n, t) => n + t.quarantined.reduce((m, q) => m + q.length, 0) + t.salvaged.reduce((m, q) => m + q.length, 0), 0);
  lines.push(`${report.ok ? 'ok' : 'FAILED'}: ${plural(report.tables.length, 'table')}, ${plural(cut, 'byte')} quarantined, ${report.ms} ms`);
  return lines.join('\n');
}
