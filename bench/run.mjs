// Runs every contender through every scenario (each in its own process), then writes bench/results.{md,svg}.
// Usage: node bench/run.mjs [--quick] [--runs N (default 3; 1 with --quick)] [--contenders a,b] [--scenarios A,B] [--out PREFIX]
//   [--skip-sdn] [--skip-latency] [--skip-startup] [--skip-nats]
// With nats-server on PATH, A, G and M also run against an R1 node and an R3 cluster it starts
// (examples/nats/bench.mjs --start), in a section of their own beside the local figures.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONTENDERS, loadContender } from './contenders/index.mjs';
import { machineFacts } from './machine.mjs';
import { phasesLine, us } from './phases.mjs';
import { resultsMarkdown, stdoutTable } from './report-md.mjs';
import { resultsSvg } from './report-svg.mjs';
import { CHAIN_REPEAT_LIMIT_S, D_CHAIN, ORDER, SCENARIOS } from './scenarios.mjs';
import { summarize } from './summary.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(here, 'scenario-worker.mjs');
const SDN_BENCH = path.join(here, 'sdn.bench.mjs');
const LATENCY_BENCH = path.join(here, 'compaction-latency.mjs');
const STARTUP_BENCH = path.join(here, 'startup.mjs');
const NATS_BENCH = path.join(here, '..', 'examples', 'nats', 'bench.mjs');
/** The scenarios the NATS bench runs (examples/nats/bench.mjs). */
const NATS_SCENARIOS = ['A', 'G', 'M'];

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' }, // default: 3, or 1 with --quick (a smoke run)
    contenders: { type: 'string', default: CONTENDERS.join(',') },
    scenarios: { type: 'string', default: ORDER.join(',') },
    out: { type: 'string' },
    'skip-sdn': { type: 'boolean', default: false }, // the SDN vs JSON micro benchmark (bench/sdn.bench.mjs)
    'skip-latency': { type: 'boolean', default: false }, // writers' latency during compaction (bench/compaction-latency.mjs)
    'skip-startup': { type: 'boolean', default: false }, // `sdnwal count` and import('sdnwal') beside `node -e 0` (bench/startup.mjs)
    'skip-nats': { type: 'boolean', default: false }, // A, G, M on NATS R1 and R3 (examples/nats/bench.mjs; needs nats-server on PATH)
    timeout: { type: 'string', default: '600' }, // seconds one worker may take before the run fails
  },
});
const runs = Number(opts.runs ?? (opts.quick ? 1 : 3));
if (!Number.isInteger(runs) || runs < 1) throw new TypeError(`Expected --runs to be an integer >= 1, got ${opts.runs}`);
const contenders = opts.contenders.split(',').filter(Boolean);
for (const c of contenders) if (!CONTENDERS.includes(c)) throw new TypeError(`unknown contender ${c}; known: ${CONTENDERS.join(', ')}`);
// E, F and Ec work on D's store, and D's and F's counts are proved by E and Ec: keep those together.
const wanted = new Set(opts.scenarios.split(','));
for (const id of wanted) if (!SCENARIOS[id]) throw new TypeError(`unknown scenario ${id}; known: ${ORDER.join(', ')}`);
for (const id of [...wanted]) {
  if (SCENARIOS[id].uses) wanted.add(SCENARIOS[id].uses);
  if (SCENARIOS[id].after) wanted.add(SCENARIOS[id].after);
  if (SCENARIOS[id].verifiedBy) wanted.add(SCENARIOS[id].verifiedBy);
}
const scenarios = ORDER.filter((id) => wanted.has(id));
const outPrefix = opts.out ?? path.join(here, opts.quick ? 'results.quick' : 'results');

/** Runs a script in its own process (killed after --timeout); resolves with how it exited and its stdout. */
function runChild(script, argv, execArgv = []) {
  const child = fork(script, argv, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), Number(opts.timeout) * 1000);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout });
    });
  });
}

/** Runs a script in its own process; resolves with its last JSON line (or `fallback` if it died or hung). */
async function runJsonChild(script, argv, fallback) {
  // nedb keeps the whole table in memory: give 1M records' worth of heap room.
  const { code, signal, stdout } = await runChild(script, argv, ['--max-old-space-size=8192', '--expose-gc']);
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  try {
    return JSON.parse(line);
  } catch {
    return { ...fallback, status: 'failed', error: `${path.basename(script)} exited with ${signal ?? code} and no result` };
  }
}

/** nats-server on PATH (the NATS figures need it), or undefined. */
function natsServerOnPath() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = dir && path.join(dir, 'nats-server');
    try {
      if (p) {
        fs.accessSync(p, fs.constants.X_OK);
        return p;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * A, G and M against an R1 node and an R3 cluster that examples/nats/bench.mjs starts itself:
 * `{ status: 'ok', runs: [{ replicas, results: [{ scenario, rate, records, counted }] }] }`,
 * `{ status: 'skipped', reason }` or `{ status: 'failed', reason }`.
 */
async function runNatsBench() {
  if (opts['skip-nats']) return null;
  if (!scenarios.some((id) => NATS_SCENARIOS.includes(id))) return null;
  if (!natsServerOnPath()) return { status: 'skipped', reason: 'nats-server is not on PATH' };
  const { code, signal, stdout } = await runChild(NATS_BENCH, ['--start', '--json']);
  let runs;
  try {
    runs = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  } catch {
    runs = [];
  }
  if (code !== 0 || runs.length === 0) return { status: 'failed', reason: `examples/nats/bench.mjs exited with ${signal ?? code}`, runs };
  return { status: 'ok', runs };
}

/** The NATS section of results.md: records/s of A, G, M on R1 and R3, beside the local figures above. */
function natsMarkdown(nats) {
  if (!nats) return '';
  const head = '\n## NATS JetStream (R1 node, R3 cluster)\n\n';
  if (nats.status === 'skipped') return `${head}Not run: ${nats.reason} (see docs/nats.md, "Speed").\n`;
  const lines = [
    head.trimEnd(),
    '',
    'The same scenarios through `openStore(\'nats://…\')` against nats-server processes started on loopback',
    '(`node examples/nats/bench.mjs --start`); what an acknowledgement means there: docs/nats.md.',
    '',
    '| scenario | NATS R1 (records/s) | NATS R3 (records/s) |',
    '|---|---|---|',
  ];
  const rate = (replicas, id) => {
    const r = nats.runs?.find((x) => x.replicas === replicas)?.results.find((x) => x.scenario === id);
    if (!r) return 'n/a';
    return `${r.rate.toLocaleString('en-US')}${r.counted === r.records ? '' : ` (COUNT ${r.counted} of ${r.records})`}`;
  };
  for (const id of NATS_SCENARIOS) lines.push(`| ${id}: ${SCENARIOS[id].title} | ${rate(1, id)} | ${rate(3, id)} |`);
  if (nats.status === 'failed') lines.push('', `FAILED: ${nats.reason}`);
  return `${lines.join('\n')}\n`;
}

/** Runs one scenario of one contender in its own process. */
function runWorker(contender, id, dir) {
  const argv = ['--contender', contender, '--scenario', id, '--dir', dir];
  if (opts.quick) argv.push('--quick');
  return runJsonChild(WORKER, argv, { contender, scenario: id });
}

function progress(r) {
  const what =
    r.status === 'ok'
      ? `${Math.round(r.rate).toLocaleString('en-US')} records/s` +
        `${r.flushesPerCall == null ? '' : `, ${r.flushesPerCall.toFixed(2)} flushes/call`}` +
        `${r.cpuUsPerRecord == null ? '' : `, CPU ${us(r.cpuUsPerRecord)} µs/record`}`
      : `${r.status}${r.reason ? `: ${r.reason}` : ''}${r.error ? `: ${r.error}` : ''}`;
  process.stderr.write(`  ${r.contender.padEnd(15)} ${r.scenario.padEnd(3)} ${what}\n`);
  // sdnwal's append phases (present, maybe null, only for a contender that reports them)
  if (r.status === 'ok' && 'phases' in r) process.stderr.write(`  ${''.padEnd(15)} ${''.padEnd(3)} ${phasesLine(r.phases)}\n`);
}

async function main() {
  const started = Date.now();
  const results = [];
  const labels = {};
  const unavailable = new Set();
  const chainSeconds = {}; // contender -> wall time of its D chain in run 1
  const ranOnce = new Set(); // contenders whose D chain was not repeated
  for (const contender of contenders) labels[contender] = (await loadContender(contender)).label;
  // Run 1 of every contender, then run 2 of every contender...: drift in the disk's speed (other work on
  // the machine) then spreads over all contenders instead of landing on one.
  for (let run = 1; run <= runs; run++) {
    for (const contender of contenders) {
      if (unavailable.has(contender)) continue;
      process.stderr.write(`${contender}: run ${run}/${runs}\n`);
      const base = fs.mkdtempSync(path.join(os.tmpdir(), `sdnwal-bench-${contender}-`));
      try {
        const skip = new Set(); // scenarios that failed: the ones working on their store cannot run
        for (const id of scenarios) {
          const s = SCENARIOS[id];
          const needs = s.after ?? s.uses;
          if (needs && skip.has(needs)) {
            skip.add(id);
            continue;
          }
          if (run > 1 && D_CHAIN.includes(id) && chainSeconds[contender] > CHAIN_REPEAT_LIMIT_S) {
            ranOnce.add(contender);
            continue;
          }
          const t0 = Date.now();
          const r = await runWorker(contender, id, path.join(base, s.uses ?? id));
          if (run === 1 && D_CHAIN.includes(id)) chainSeconds[contender] = (chainSeconds[contender] ?? 0) + (Date.now() - t0) / 1000;
          progress(r);
          if (r.status === 'unavailable') {
            // Say so in every row, once, and go on with the others.
            unavailable.add(contender);
            for (const other of scenarios) results.push({ ...r, scenario: other });
            break;
          }
          results.push(r);
          if (r.status === 'failed' || r.status === 'mismatch') skip.add(id);
        }
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    }
  }

  const sdn = opts['skip-sdn'] ? null : await runJsonChild(SDN_BENCH, ['--json'], {});
  const latency = opts['skip-latency'] ? null : await runJsonChild(LATENCY_BENCH, ['--json', ...(opts.quick ? ['--quick'] : [])], {});
  const startup = opts['skip-startup'] ? null : await runJsonChild(STARTUP_BENCH, ['--json'], {});
  if (!opts['skip-nats']) process.stderr.write('nats: A, G, M on an R1 node and an R3 cluster\n');
  const nats = await runNatsBench();
  const natsFailed = nats?.status === 'failed' || (nats?.runs ?? []).some((run) => run.results.some((r) => r.counted !== r.records));
  const summary = summarize(results);
  const failed = results.some((r) => r.status === 'failed' || r.status === 'mismatch') || sdn?.status === 'failed' || ['failed', 'mismatch'].includes(latency?.status) || startup?.status === 'failed' || natsFailed;
  const command = `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const seconds = (Date.now() - started) / 1000;
  console.log(stdoutTable(summary, contenders, scenarios));
  const facts = machineFacts(os.tmpdir());
  fs.writeFileSync(`${outPrefix}.md`, resultsMarkdown({ summary, contenders, scenarios, facts, command, runs, quick: opts.quick, seconds, labels, failed, sdn, latency, startup, ranOnce: [...ranOnce].map((c) => ({ contender: c, seconds: chainSeconds[c] })) }) + natsMarkdown(nats));
  if (nats?.runs) for (const run of nats.runs) console.log(`NATS R${run.replicas}: ${run.results.map((r) => `${r.scenario} ${r.rate.toLocaleString('en-US')}/s`).join(', ')}`);
  fs.writeFileSync(`${outPrefix}.svg`, resultsSvg({ summary, contenders, scenarios, quick: opts.quick }));
  console.log(`\nwrote ${path.relative(process.cwd(), outPrefix)}.md and .svg in ${Math.round(seconds)} s`);
  if (failed) {
    console.error('FAILED: a scenario failed, a reopen counted a different number of records than were written, or the SDN, latency, start-up or NATS bench failed');
    process.exitCode = 1;
  }
}

main();
