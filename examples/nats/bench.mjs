// The benchmark's A, G and M scenarios (bench/scenarios.mjs) against NATS servers, to set beside
// the local figures of `npm run bench` (docs/nats.md, "Speed"). Build first: npm run build.
//   node examples/nats/bench.mjs nats://127.0.0.1:4222[,...] [--replicas 3] [--json]
//   node examples/nats/bench.mjs --start [--json]    starts an R1 node and an R3 cluster itself
//                                                   (nats-server on PATH), runs both, stops them
// Each scenario writes to a table of its own (prefix bench<time>), then reopens and counts it.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore } from '../../dist/index.js';
import { SCENARIOS } from '../../bench/scenarios.mjs';
import { COLUMNS, KEY, makeRecords } from '../../bench/workload.mjs';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    replicas: { type: 'string', default: '1' },
    start: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    prefix: { type: 'string' },
    part: { type: 'string' },
    table: { type: 'string' },
    from: { type: 'string' },
    count: { type: 'string' },
  },
});
if (!positionals[0] && !o.start) {
  process.stderr.write('usage: node examples/nats/bench.mjs nats://host:port[,...] [--replicas 1|3|5] [--json] | --start [--json]\n');
  process.exit(2);
}
// Set per run by main() (a child of scenario M gets them on its command line).
let url = positionals[0];
let replicas = Number(o.replicas);
const prefix = o.prefix ?? `bench${Date.now().toString(36)}`;
let nats = { replicas, prefix };

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
  const runs = [];
  if (!o.start) runs.push(await scenarios(url, replicas));
  else {
    const { startServers } = await import('./servers.mjs');
    for (const size of [1, 3]) {
      const servers = await startServers(size);
      try {
        runs.push(await scenarios(servers.url, size));
      } finally {
        await servers.stop();
      }
    }
  }
  const w = (s, n) => String(s).padEnd(n);
  for (const run of runs) {
    if (o.json) {
      process.stdout.write(JSON.stringify(run) + '\n');
      continue;
    }
    process.stdout.write(`${run.url}, R${run.replicas} (prefix ${prefix})\n`);
    for (const r of run.results) process.stdout.write(`  ${w(r.scenario, 2)} ${w(r.title, 40)} ${w(r.rate.toLocaleString('en-US') + ' records/s', 18)} ${r.counted === r.records ? 'count ok' : `COUNT ${r.counted} of ${r.records}`}\n`);
  }
  process.exitCode = runs.every((run) => run.results.every((r) => r.counted === r.records)) ? 0 : 1;
}

/** Open the store, waiting (up to 30 s) for servers just started to elect their leaders. */
async function openWhenReady(options) {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      return await openStore(url, options);
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A, G and M against `at`, with streams of `r` replicas. */
async function scenarios(at, r) {
  url = at;
  replicas = r;
  nats = { replicas, prefix };
  const results = [];
  for (const id of ['A', 'G', 'M']) {
    const s = SCENARIOS[id];
    const name = `s${id}`;
    const store = await openWhenReady({ nats });
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
  return { url, replicas, results };
}
