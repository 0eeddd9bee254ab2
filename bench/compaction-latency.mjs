// sdnwal only: how long a durable append (sync 'always', 1 record per call, awaited) takes while a
// compaction of the same table runs, against the same writer with no compaction. Two compactions:
// the cron job's (`sdnwal compact DIR`, its own process) and `table.compact()` in the writer's process.
// Usage: node bench/compaction-latency.mjs [--quick] [--json]   (needs `npm run build`)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COLUMNS, KEY, makeRecord, makeRecords } from './workload.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.join(here, '../dist/index.js');
const BIN = path.join(here, '../bin/sdnwal.js');
const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const ROWS = quick ? 100_000 : 1_000_000; // in the snapshot
const LOG_ROWS = ROWS / 10; // logged above it before each compaction
const BASELINE_MS = 1500;
const WARMUP_CALLS = 300;
const WRITER_BASE = 10_000_000; // the writer's keys: never one of the table's

const started = performance.now();
/** A progress line on stderr (the run takes a while). */
function note(what) {
  process.stderr.write(`compaction latency: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

function emit(result) {
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
}

/** p50, p99 and max of `ms` (milliseconds), and the number of calls. */
function stats(ms) {
  const s = Float64Array.from(ms).sort();
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return { calls: s.length, p50: at(0.5), p99: at(0.99), max: s.at(-1) ?? 0 };
}

/** Append records one per call, awaited, until `until` resolves (or, with a number, that many ms); the latencies. */
async function writeUntil(table, next, until) {
  const ms = [];
  let done = false;
  const stop = typeof until === 'number' ? new Promise((r) => setTimeout(r, until)) : until;
  const end = () => (done = true);
  void stop.then(end, end); // a failed compaction stops the writer too (and is rethrown below)
  while (!done) {
    const rec = makeRecord(next.i++);
    const t0 = performance.now();
    await table.insert(rec);
    ms.push(performance.now() - t0);
  }
  await stop;
  return ms;
}

async function bulk(table, start, count) {
  for (let i = 0; i < count; i += 1000) await table.insertMany(makeRecords(start + i, Math.min(1000, count - i)));
}

/** The cron job: `sdnwal compact DIR` in its own process; resolves with its wall time (s). */
function cronCompact(dir) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'compact', dir, '--json'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`sdnwal compact exited with ${code}`))));
  });
}

async function main() {
  if (!fs.existsSync(DIST)) {
    process.stderr.write('compaction latency: dist/ not built yet (npm run build): skipped\n');
    return emit({ status: 'unavailable', reason: 'dist/index.js not built' });
  }
  const { openStore } = await import(DIST);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdnwal-bench-latency-'));
  try {
    // A snapshot of ROWS rows, then LOG_ROWS logged above it.
    let store = await openStore(dir, { sync: 'none' });
    let table = await store.table('bench', { key: KEY, columns: COLUMNS });
    await bulk(table, 0, ROWS);
    await table.compact();
    await bulk(table, ROWS, LOG_ROWS);
    await store.close();
    note(`table of ${ROWS} rows + ${LOG_ROWS} logged written`);

    store = await openStore(dir, { sync: 'always' });
    table = await store.table('bench');
    const next = { i: WRITER_BASE };
    await writeUntil(table, next, new Promise((r) => setImmediate(r)).then(async () => {
      for (let i = 0; i < WARMUP_CALLS; i++) await table.insert(makeRecord(next.i++));
    }));
    const baseline = stats(await writeUntil(table, next, BASELINE_MS));
    note('baseline measured');

    let cronSeconds = 0;
    const cron = stats(await writeUntil(table, next, cronCompact(dir).then((s) => (cronSeconds = s))));
    note('during the cron compaction measured');

    // The same amount of log again for the in-process compaction (written by a second, non-durable store).
    const bulkStore = await openStore(dir, { sync: 'none' });
    await bulk(await bulkStore.table('bench'), ROWS + LOG_ROWS, LOG_ROWS);
    await bulkStore.close();
    note(`${LOG_ROWS} more logged`);
    const t0 = performance.now();
    let inProcessSeconds = 0;
    const inProcess = stats(await writeUntil(table, next, table.compact().then(() => (inProcessSeconds = (performance.now() - t0) / 1000))));

    const expected = ROWS + 2 * LOG_ROWS + (next.i - WRITER_BASE);
    const counted = await table.count();
    await store.close();
    const result = { status: counted === expected ? 'ok' : 'mismatch', rows: ROWS, logRows: LOG_ROWS, baseline, cron, cronSeconds, inProcess, inProcessSeconds, counted, expected };
    const line = (name, s) => `  ${name.padEnd(26)} ${String(s.calls).padStart(6)} calls  p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  max ${s.max.toFixed(1)} ms\n`;
    process.stderr.write(`writers' latency, durable 1 record/call (snapshot ${ROWS.toLocaleString('en-US')} rows + ${LOG_ROWS.toLocaleString('en-US')} logged):\n`);
    process.stderr.write(line('no compaction', baseline));
    process.stderr.write(line(`cron compaction (${cronSeconds.toFixed(1)} s)`, cron));
    process.stderr.write(line(`in-process (${inProcessSeconds.toFixed(1)} s)`, inProcess));
    emit(result);
    if (result.status !== 'ok') {
      process.stderr.write(`count ${counted}, expected ${expected}\n`);
      process.exitCode = 1;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  emit({ status: 'failed', error: String(err?.stack ?? err) });
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
