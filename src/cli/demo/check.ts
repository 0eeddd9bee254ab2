/** Checking the demo's final snapshot: every acknowledged record exactly once and exactly as written, nothing foreign. */
import { parse } from '../../sdn/index.js';
import { DEMO_COLUMNS, DEMO_TABLE, demoId, demoRecord, parseDemoId } from './records.js';

export interface DemoCheck {
  ok: boolean;
  /** Rows in the snapshot. */
  rows: number;
  acknowledged: number;
  /** Rows present that no scanner reported acknowledged (a killed scanner's in-flight writes may land). */
  unacknowledgedPresent: number;
  missing: string[];
  doubled: string[];
  /** Rows whose id is not a demo id, or whose columns differ from what was written. */
  wrong: string[];
}

/** `acked[scanner]` = the record numbers that scanner acknowledged. */
export function checkSnapshot(text: string, acked: ReadonlyMap<number, ReadonlySet<number>>): DemoCheck {
  const doc = parse(text);
  const rows = doc[DEMO_TABLE];
  if (!Array.isArray(rows)) throw new Error(`the snapshot has no ${DEMO_TABLE} table`);
  const seen = new Map<string, number>();
  const wrong: string[] = [];
  for (const r of rows) {
    const row = r as Record<string, unknown>;
    const id = String(row.id);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const who = parseDemoId(id);
    const expected = who && demoRecord(who.scanner, who.n);
    if (!expected || DEMO_COLUMNS.some((c) => row[c] !== expected[c])) wrong.push(id);
  }
  const missing: string[] = [];
  let acknowledged = 0;
  for (const [scanner, ns] of acked) {
    for (const n of ns) {
      acknowledged++;
      if (!seen.has(demoId(scanner, n))) missing.push(demoId(scanner, n));
    }
  }
  const doubled = [...seen].filter(([, c]) => c > 1).map(([id]) => id);
  const isAcked = (id: string): boolean => {
    const w = parseDemoId(id);
    return w !== undefined && (acked.get(w.scanner)?.has(w.n) ?? false);
  };
  const unacknowledgedPresent = [...seen.keys()].filter((id) => !isAcked(id)).length;
  return { ok: missing.length === 0 && doubled.length === 0 && wrong.length === 0, rows: rows.length, acknowledged, unacknowledgedPresent, missing, doubled, wrong };
}
