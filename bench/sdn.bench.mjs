// SDN parse/stringify speed against JSON.parse/JSON.stringify on the same 10,000-row named table (tinybench).
// Usage: node bench/sdn.bench.mjs [--json]   (needs `npm run build`: it imports dist/sdn/index.js)
import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Bench } from 'tinybench';
import { makeRecords } from './workload.mjs';

const SDN_DIST = new URL('../dist/sdn/index.js', import.meta.url);
const ROWS = 10_000;
const json = process.argv.includes('--json');

function emit(result) {
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
}

async function main() {
  if (!existsSync(SDN_DIST)) {
    process.stderr.write('sdn bench: dist/sdn/index.js not built yet (npm run build): skipped\n');
    return emit({ status: 'unavailable', reason: 'dist/sdn/index.js not built' });
  }
  const { parse, stringify } = await import(SDN_DIST.href);
  const value = { bench: makeRecords(0, ROWS) }; // a named table: an array of objects with the same columns
  const sdnText = stringify(value);
  const jsonText = JSON.stringify(value);
  // Measuring a parser that gets the data wrong would be meaningless: check the round trip first.
  if (!isDeepStrictEqual(parse(sdnText), value)) throw new Error('SDN round trip of the bench table differs');

  const bench = new Bench({ time: 1500, warmupTime: 300 });
  let sink; // keeps results alive so no call is optimised away
  bench
    .add('SDN parse', () => { sink = parse(sdnText); })
    .add('JSON.parse', () => { sink = JSON.parse(jsonText); })
    .add('SDN stringify', () => { sink = stringify(value); })
    .add('JSON.stringify', () => { sink = JSON.stringify(value); });
  await bench.run();
  void sink;

  const bytes = { 'SDN parse': sdnText.length, 'SDN stringify': sdnText.length, 'JSON.parse': jsonText.length, 'JSON.stringify': jsonText.length };
  const rows = bench.tasks.map((t) => {
    if (t.result.state !== 'completed') throw new Error(`${t.name}: ${t.result.error ?? t.result.state}`);
    const ms = t.result.latency.mean;
    return { name: t.name, ms, mbPerS: bytes[t.name] / 1e6 / (ms / 1000) };
  });
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  const result = {
    status: 'ok',
    rows: ROWS,
    sdnBytes: sdnText.length,
    jsonBytes: jsonText.length,
    tasks: rows,
    // Time for the same table, JSON's time / SDN's time: 1 = as fast as JSON, 0.5 = twice as slow.
    parseVsJson: by['JSON.parse'].ms / by['SDN parse'].ms,
    stringifyVsJson: by['JSON.stringify'].ms / by['SDN stringify'].ms,
  };
  process.stderr.write(`SDN vs JSON on a ${ROWS}-row named table (SDN ${sdnText.length} B, JSON ${jsonText.length} B):\n`);
  for (const r of rows) process.stderr.write(`  ${r.name.padEnd(15)} ${r.ms.toFixed(2).padStart(8)} ms  ${r.mbPerS.toFixed(1).padStart(7)} MB/s\n`);
  emit(result);
}

main().catch((err) => {
  process.stderr.write(`sdn bench failed: ${err.stack ?? err}\n`);
  emit({ status: 'failed', error: String(err.message ?? err) });
  process.exitCode = 1;
});
