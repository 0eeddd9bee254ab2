/**
 * The demo (`sdnwal demo`, `npm start`): several scanner processes append TODO records durably
 * to one table while a compaction runs; one scanner is killed with SIGKILL mid-write; recovery
 * runs and reports; then every acknowledged record is checked to be in the final snapshot
 * exactly once. Prints throughput, how group commit shared fdatasyncs, recovery time, and the
 * head of the snapshot.
 */
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { formatRecoveryReport, recover } from '../../recovery/index.js';
import { openStore } from '../../store/store.js';
import type { CompactReport } from '../../store/table.js';
import { tablePaths } from '../../wal/paths.js';
import { EXIT_FAILURE, EXIT_OK, UserError, writeLine } from '../command.js';
import { checkSnapshot } from './check.js';
import { killHard, spawnScanner, type ScannerHandle } from './children.js';
import { DEMO_COLUMNS, DEMO_TABLE } from './records.js';

export interface DemoOptions {
  dir: string;
  /** The compiled scanner script (dist/cli/demo/scanner.js). */
  scannerScript: string;
  out: Writable;
  scanners?: number;
  perScanner?: number;
  inFlight?: number;
  /** Lines of the snapshot to show. */
  headLines?: number;
}

const indent = (text: string): string => text.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');

function describeCompaction(r: CompactReport): string {
  if (r.skipped) return `skipped (${r.reason ?? 'another compactor is running'})`;
  return `${r.entriesApplied} entries folded into ${r.rows} rows, absorbed segment ${r.absorbedSegment}, table files ${r.bytesBefore} -> ${r.bytesAfter} bytes, ${Math.round(r.ms)} ms`;
}

function prepareDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) throw new UserError(`the demo needs an empty directory; ${dir} is not empty`);
}

type Say = (s: string) => void;

/** Scanners append while a compaction runs; one is killed mid-write. Returns the handles and whether a survivor failed. */
async function writePhase(o: DemoOptions, say: Say): Promise<{ handles: ScannerHandle[]; failed: boolean }> {
  const scanners = o.scanners ?? 4;
  const perScanner = o.perScanner ?? 1500;
  const inFlight = o.inFlight ?? 32;
  const store = await openStore(o.dir, { sync: 'always' });
  const table = await store.table(DEMO_TABLE, { key: 'id', columns: [...DEMO_COLUMNS] });
  say(`${scanners} scanner processes append ${perScanner} TODO records each to table ${DEMO_TABLE} (sync: always, ${inFlight} inserts in flight each)`);

  const total = scanners * perScanner;
  const victimIndex = scanners > 1 ? 1 : 0;
  const killAfter = Math.floor(perScanner / 4);
  let compaction: Promise<CompactReport> | undefined;
  const started = performance.now();
  const onAck = (h: ScannerHandle): void => {
    const acked = handles.reduce((n, x) => n + x.acked.size, 0);
    if (h.index === victimIndex && !h.killed && h.acked.size >= killAfter) {
      killHard(h);
      say(`  killed scanner ${h.index} (pid ${h.child.pid}) with SIGKILL after ${h.acked.size} acknowledged records, mid-write`);
    }
    if (!compaction && acked >= total * 0.3) {
      say(`  compacting while the scanners write (${acked} records acknowledged so far)`);
      compaction = table.compact();
    }
  };
  const handles: ScannerHandle[] = [];
  for (let i = 0; i < scanners; i++) handles.push(spawnScanner(o.scannerScript, { dir: o.dir, scanner: i, count: perScanner, inFlight }, onAck));
  const exits = await Promise.all(handles.map((h) => h.exited));
  const writeSecs = (performance.now() - started) / 1000;
  compaction ??= table.compact();
  say(`  compaction during the writes: ${describeCompaction(await compaction)}`);
  await store.close();

  let failed = false;
  handles.forEach((h, i) => {
    const e = exits[i]!;
    if (h.killed && e.signal === 'SIGKILL') return;
    if (e.code !== 0 || !h.done) {
      failed = true;
      say(`  scanner ${h.index} failed (exit ${e.code ?? e.signal}): ${h.error ?? h.stderr.trim()}`);
    }
  });
  const ackedTotal = handles.reduce((n, h) => n + h.acked.size, 0);
  say(`${ackedTotal} records acknowledged in ${writeSecs.toFixed(2)} s: ${Math.round(ackedTotal / writeSecs)} records/s across ${scanners} processes`);
  sayGroupCommit(handles, say);
  return { handles, failed };
}

/** How many appends each fdatasync covered, over the scanners that finished. */
function sayGroupCommit(handles: ScannerHandle[], say: Say): void {
  const survivors = handles.filter((h) => h.done);
  const appends = survivors.reduce((n, h) => n + h.done!.appends, 0);
  const fsyncs = survivors.reduce((n, h) => n + h.done!.fsyncs, 0);
  const batches = survivors.reduce((n, h) => n + h.done!.batches, 0);
  if (fsyncs > 0) {
    say(`group commit: the ${survivors.length} scanners that finished made ${appends} appends in ${batches} writes and ${fsyncs} fdatasyncs (${(appends / fsyncs).toFixed(1)} appends per fdatasync)`);
  }
}

/** Recovery after the kill, then a last compaction so the snapshot holds every record. Returns whether recovery was ok. */
async function recoverPhase(dir: string, say: Say): Promise<boolean> {
  const t0 = performance.now();
  const report = await recover(dir);
  say(`recovery after the kill (${(performance.now() - t0).toFixed(1)} ms):`);
  say(indent(formatRecoveryReport(report)));
  const after = await openStore(dir, { sync: 'always' });
  try {
    const t = await after.table(DEMO_TABLE);
    say(`final compaction: ${describeCompaction(await t.compact())}`);
  } finally {
    await after.close();
  }
  return report.ok;
}

/** Every acknowledged record is in the snapshot exactly once, as written; then show its head. */
function checkPhase(o: DemoOptions, handles: ScannerHandle[], say: Say): boolean {
  const snapshotPath = tablePaths(o.dir, DEMO_TABLE).snapshot;
  const text = fs.readFileSync(snapshotPath, 'utf8');
  const check = checkSnapshot(text, new Map(handles.map((h) => [h.index, h.acked])));
  if (check.ok) {
    say(`check: all ${check.acknowledged} acknowledged records are in the snapshot exactly once, as written (${check.rows} rows; ${check.unacknowledgedPresent} more were written but not acknowledged before the kill)`);
  } else {
    say(`check FAILED: ${check.missing.length} acknowledged records missing, ${check.doubled.length} doubled, ${check.wrong.length} wrong`);
    for (const [what, ids] of [['missing', check.missing], ['doubled', check.doubled], ['wrong', check.wrong]] as const) {
      if (ids.length > 0) say(`  ${what}: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`);
    }
  }
  say(`the snapshot ${snapshotPath} (first lines):`);
  say(indent(text.split('\n').slice(0, o.headLines ?? 14).join('\n')));
  return check.ok;
}

export async function runDemo(o: DemoOptions): Promise<number> {
  const say: Say = (s) => writeLine(o.out, s);
  prepareDir(o.dir);
  say(`sdnwal demo: a store in ${o.dir} (kept afterwards: try \`sdnwal stats ${o.dir}\`)`);
  const { handles, failed } = await writePhase(o, say);
  const recovered = await recoverPhase(o.dir, say);
  const checked = checkPhase(o, handles, say);
  const ok = !failed && recovered && checked;
  say(ok ? 'demo ok' : 'demo FAILED');
  return ok ? EXIT_OK : EXIT_FAILURE;
}
