/** The verify report: findings per table (and for the store directory), as data and as text. */

export interface Finding {
  severity: 'error' | 'warning';
  /** Stable: CORRUPT_SNAPSHOT, CORRUPT_LOG, TORN_TAIL, UNSYNCED_HOLE, MISSING_SEGMENT, MISSING_SEAL,
   * FOREIGN_SEGMENT, FOREIGN_FILE, TEMP_FILE, ABSORBED_SEGMENTS, UNPUBLISHED_TAIL, STRAY_FILE. */
  code: string;
  /** Relative to the store directory. */
  file: string;
  offset?: number;
  message: string;
}

export interface TableVerify {
  table: string;
  /** No error findings (warnings allowed). */
  ok: boolean;
  /** Rows after replaying the log onto the snapshot (the snapshot used: `.prev` if the current one is bad). */
  rows: number;
  /** Segments above the snapshot. */
  segments: number;
  /** Write entries in those segments (SEAL and PAD frames not counted). */
  entries: number;
  findings: Finding[];
}

export interface VerifyReport {
  /** No error finding anywhere. */
  ok: boolean;
  dir: string;
  tables: TableVerify[];
  /** Findings about the directory itself (stray files). */
  findings: Finding[];
}

function line(f: Finding): string {
  return `  ${f.severity} ${f.code} ${f.file}${f.offset !== undefined ? ` at offset ${f.offset}` : ''}: ${f.message}`;
}

export function formatVerifyReport(r: VerifyReport): string {
  const out: string[] = [`verify ${r.dir}`];
  if (r.tables.length === 0) out.push('  no tables');
  for (const t of r.tables) {
    out.push(`table ${t.table}: ${t.ok ? 'ok' : 'DAMAGED'}, ${t.rows} row(s), ${t.segments} segment(s), ${t.entries} entr${t.entries === 1 ? 'y' : 'ies'} above the snapshot`);
    for (const f of t.findings) out.push(line(f));
  }
  for (const f of r.findings) out.push(line(f));
  const errors = [...r.findings, ...r.tables.flatMap((t) => t.findings)].filter((f) => f.severity === 'error').length;
  out.push(r.ok ? 'ok: no damage found' : `FAILED: ${errors} error(s); \`sdnwal recover <dir>\` repairs torn tails, \`--salvage\` keeps the frames around mid-log damage`);
  return out.join('\n');
}
