// The benchmark's A, G and M scenarios (bench/scenarios.mjs) against NATS servers, to set beside
// the local figures of `npm run bench` (docs/nats.md, "Speed"). Build first: npm run build.
//   node examples/nats/bench.mjs nats://127.0.0.1:4222[,...] [--replicas 3]
// Each scenario writes to a table of its own (prefix bench<time>), then reopens and counts it.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore } from '../../dist/index.js';
import { SCENARIOS } from '../../bench/scenarios.mjs';
import { COLUMNS, KEY, makeRecords } from '../../bench/workload.mjs';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { replicas: { type: 'string', default: '1' }, prefix: { type: 'string' }, part: { type: 'string' }, table: { type: 'string' }, from: { type: 'string' }, count: { type: 'string' } },
});
const url = positionals[0];
if (!url) {
  process.stderr.write('usage: node examples/nats/bench.mjs nats://host:port[,...] [--replicas 1|3|5]\n');
  process.exit(2);
}
const replicas = Number(o.replicas);
const prefix = o.prefix ?? `bench${Date.now().toString(36)}`;
const nats = { replicas, prefix };

/** Append `records` with `inFlight` calls outstanding. */
async function drive(table, records, inFlight) {
  let next = 0;
  const lane = async () => {
    while (next < records.length) await table.insert(records[next++]);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

// A child of scenario M: connects, says it is ready, appends its share (each awaited) on "go".
if (o.part !== undefined) {
  const store = await openStore(url, { nats });
  const table = await store.table(o.table, { key: KEY, columns: COLUMNS });
  const records = makeRecords(Number(o.from), Number(o.count));
  process.once('message', async () => {
    await drive(table, records, 1);
    await store.close();
    process.send('done', () => process.exit(0));
  });
  process.send('ready');
} else {
  await main();
}

/** Fork `procs` writers, wait until each is connected, then time them from "go" to the last "done". */
async function processes(table, procs, count) {
  const share = count / procs;
  const children = Array.from({ length: procs }, (_, p) =>
    fork(fileURLToPath(import.meta.url), [url, '--replicas', String(replicas), '--prefix', prefix, '--part', '1', '--table', table, '--from', String(p * share), '--count', String(share)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const message = (c, want) => new Promise((resolve, reject) => {
    c.on('message', (m) => m === want && resolve());
    c.on('exit', (code) => code !== 0 && reject(new Error(`a writer exited with ${code}`)));
  });
  await Promise.all(children.map((c) => message(c, 'ready')));
  const t0 = performance.now();
  const done = Promise.all(children.map((c) => message(c, 'done')));
  for (const c of children) c.send('go');
  await done;
  return (performance.now() - t0) / 1000;
}

async function main() {
  const results = [];
  for (const id of ['A', 'G', 'M']) {
    const s = SCENARIOS[id];
    const name = `s${id}`;
    const store = await openStore(url, { nats });
    const table = await store.table(name, { key: KEY, columns: COLUMNS });
    let seconds;
    if (s.procs === 1) {
      const records = makeRecords(0, s.count);
      const t0 = performance.now();
      await drive(table, records, s.inFlight);
      seconds = (performance.now() - t0) / 1000;
    } else seconds = await processes(name, s.procs, s.count);
    await store.close();
    const check = await openStore(url, { nats, readOnly: true });
    const count = await (await check.table(name)).count();
    await check.close();
    results.push({ scenario: id, title: s.title, records: s.count, rate: Math.round(s.count / seconds), counted: count });
  }
  const w = (s, n) => String(s).padEnd(n);
  process.stdout.write(`${url}, R${replicas} (prefix ${prefix})\n`);
  for (const r of results) process.stdout.write(`  ${w(r.scenario, 2)} ${w(r.title, 40)} ${w(r.rate.toLocaleString('en-US') + ' records/s', 18)} ${r.counted === r.records ? 'count ok' : `COUNT ${r.counted} of ${r.records}`}\n`);
  process.exitCode = results.every((r) => r.counted === r.records) ? 0 : 1;
}
