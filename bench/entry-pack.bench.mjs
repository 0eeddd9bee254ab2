// Encoding one write entry: msgpackr's pack() against the specialised packWrite (src/wal/entry-pack.ts).
// Usage: node bench/entry-pack.bench.mjs [rounds]   (needs `npm run build`, or SDNWAL_ENTRY_PACK=<path of a
// compiled entry-pack.js>). The two alternate in every round, so a busy machine slows both alike; the
// medians of ops/s by wall clock and by CPU time (process.cpuUsage) are reported.
import { Packr } from 'msgpackr';
import { makeRecords } from './workload.mjs';

const modulePath = process.env.SDNWAL_ENTRY_PACK ?? new URL('../dist/wal/entry-pack.js', import.meta.url).href;
const { packWrite } = await import(modulePath.startsWith('/') ? `file://${modulePath}` : modulePath);
const packr = new Packr({ useRecords: false, useBigIntExtension: true, skipValues: [undefined], copyBuffers: true });

const rounds = Number(process.argv[2] ?? 9);
const SLICE_MS = 250;

// Shaped as the writer's entries: `{ ...write, synced }` with the Table's rows.
const entryOf = (n) => ({
  operation: 'insert',
  rows: makeRecords(0, n).map((r) => ({ key: r.id, values: { ...r } })),
  timestamp: 1_700_000_000_000,
  synced: 123_456_789,
});

/** Calls `fn` for about SLICE_MS; ops per wall second and per CPU second. */
function slice(fn, e) {
  let ops = 0;
  let sink = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < SLICE_MS) {
    for (let i = 0; i < 20; i++) sink += fn(e).length;
    ops += 20;
    t = performance.now();
  }
  const cpu = process.cpuUsage(cpu0);
  if (sink === 0) throw new Error('nothing encoded');
  return { wall: ops / ((t - t0) / 1e3), cpu: ops / ((cpu.user + cpu.system) / 1e6) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const contenders = { msgpackr: (e) => packr.pack(e), packWrite: (e) => packWrite(e) };

for (const n of [1, 1000]) {
  const e = entryOf(n);
  if (Buffer.compare(packWrite(e), packr.pack(e)) !== 0) throw new Error('packWrite bytes differ from msgpackr');
  for (const fn of Object.values(contenders)) slice(fn, e); // warm-up
  const res = { msgpackr: { wall: [], cpu: [] }, packWrite: { wall: [], cpu: [] } };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? ['packWrite', 'msgpackr'] : ['msgpackr', 'packWrite'];
    for (const name of order) {
      const { wall, cpu } = slice(contenders[name], e);
      res[name].wall.push(wall);
      res[name].cpu.push(cpu);
    }
  }
  const m = (name, k) => median(res[name][k]);
  const fmt = (x) => x.toFixed(0).padStart(10);
  console.log(`${n}-record entry (${packr.pack(e).length} bytes), medians of ${rounds} rounds, ops/s`);
  for (const name of Object.keys(contenders)) console.log(`  ${name.padEnd(9)} wall ${fmt(m(name, 'wall'))}   per CPU s ${fmt(m(name, 'cpu'))}`);
  console.log(`  speed-up  wall ×${(m('packWrite', 'wall') / m('msgpackr', 'wall')).toFixed(2)}   CPU ×${(m('packWrite', 'cpu') / m('msgpackr', 'cpu')).toFixed(2)}`);
}
