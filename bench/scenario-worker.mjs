// Runs one scenario for one contender in this process and prints one JSON result line on stdout.
// Usage: node bench/scenario-worker.mjs --contender NAME --scenario ID --dir DIR [--quick]
// (scenarios M and M16 fork `procs` copies of this script with --part I; they write while this process times them).
import { fork } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadContender } from './contenders/index.mjs';
import { flushCount } from './diskstats.mjs';
import { mergeParts } from './phases.mjs';
import { SCENARIOS, countFor } from './scenarios.mjs';
import { makeRecords } from './workload.mjs';

const { values: args } = parseArgs({
  options: {
    contender: { type: 'string' },
    scenario: { type: 'string' },
    dir: { type: 'string' },
    quick: { type: 'boolean', default: false },
    part: { type: 'string' },
  },
});

const now = () => Number(process.hrtime.bigint()) / 1e9;
const maxRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** CPU time (user + system, every thread of this process) since `start`, in µs. */
const cpuUsSince = (start) => {
  const { user, system } = process.cpuUsage(start);
  return user + system;
};

/** `{ phases }` from a contender that reports append phases (null while it has none to give), else nothing. */
const phasesOf = (store) => (store.phases ? { phases: store.phases() ?? null } : {});

/** Issues the calls with `inFlight` of them outstanding at any time (1 = each awaited before the next). */
async function drive(store, calls, inFlight, batched) {
  let next = 0;
  const lane = async () => {
    while (next < calls.length) {
      const call = calls[next++];
      await (batched ? store.putBatch(call) : store.put(call));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

function toCalls(records, perCall) {
  if (perCall === 1) return records;
  const calls = [];
  for (let i = 0; i < records.length; i += perCall) calls.push(records.slice(i, i + perCall));
  return calls;
}

/** Opens the store again, counts it and closes it: the proof that nothing was lost. */
async function reopenCount(mod, dir) {
  const t0 = now();
  const store = await mod.open(dir, { durable: false });
  const count = await store.count();
  await store.close();
  return { count, seconds: now() - t0 };
}

/**
 * A full collection before the timed phase (run.mjs starts workers with --expose-gc): the set-up's
 * garbage (the records made up front, the warm-up's store) is collected now, not by a mark-compact
 * of the old space that V8's heuristics happen to start inside one contender's timed window.
 */
function collectGarbage() {
  globalThis.gc?.();
}

/** Keys of warm-up records start here, far from the timed ones. */
const WARMUP_KEY_BASE = 100_000_000;

/**
 * Before timing, every contender makes the scenario's own kind of call on a scratch store of its own
 * (one fifth of the calls, at most 300), then that store is deleted: the timed phase measures steady
 * state, not the JIT compiling the contender's code (a long-running writer process is warm).
 */
async function warmUp(mod, s, calls, dir) {
  const count = Math.min(300, Math.ceil(calls.length / 5));
  const records = makeRecords(WARMUP_KEY_BASE, count * s.perCall);
  const store = await mod.open(dir, { durable: s.durable });
  await drive(store, toCalls(records, s.perCall), Math.min(s.inFlight, count), s.perCall > 1);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function writeScenario(mod, s, n) {
  const records = makeRecords(0, n); // made before timing: generation is never measured
  const calls = toCalls(records, s.perCall);
  await warmUp(mod, s, calls, `${args.dir}.warmup`);
  const store = await mod.open(args.dir, { durable: s.durable });
  collectGarbage();
  const f0 = flushCount(args.dir);
  const cpu0 = process.cpuUsage();
  const t0 = now();
  await drive(store, calls, s.inFlight, s.perCall > 1);
  const seconds = now() - t0;
  const cpuUs = cpuUsSince(cpu0);
  const f1 = flushCount(args.dir);
  const phases = phasesOf(store); // before close: the figures are the timed phase's (the warm-up had its own store)
  await store.close();
  return { seconds, calls: calls.length, flushes: f0 === null ? null : f1 - f0, cpuUs, ...phases };
}

/**
 * Scenarios M and M16: `procs` processes write disjoint key ranges at once; timed from "go" to the last one's
 * last ack. CPU is the parts' own, summed (this process only waits); their append phases are merged.
 */
async function multiProcessScenario(s, n) {
  const per = n / s.procs;
  const self = fileURLToPath(import.meta.url);
  const children = [];
  for (let i = 0; i < s.procs; i++) {
    const argv = ['--contender', args.contender, '--scenario', args.scenario, '--dir', args.dir, '--part', String(i)];
    if (args.quick) argv.push('--quick');
    children.push(fork(self, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }
  const message = (child, type) =>
    new Promise((resolve, reject) => {
      const onMessage = (m) => m.type === type && (child.off('exit', onExit), resolve(m));
      const onExit = (code) => reject(new Error(`part exited with code ${code} before "${type}"`));
      child.on('message', onMessage).once('exit', onExit);
    });
  const exited = children.map((c) => new Promise((resolve) => c.once('exit', (code) => resolve(code))));
  await Promise.all(children.map((c) => message(c, 'ready')));
  const done = children.map((c) => message(c, 'done'));
  const f0 = flushCount(args.dir);
  const t0 = now();
  for (const c of children) c.send({ type: 'go' });
  const parts = await Promise.all(done);
  const seconds = now() - t0;
  const f1 = flushCount(args.dir);
  const codes = await Promise.all(exited);
  if (codes.some((c) => c !== 0)) throw new Error(`a writer process exited with ${codes.join(', ')}`);
  return {
    seconds,
    calls: n / s.perCall,
    flushes: f0 === null ? null : f1 - f0,
    cpuUs: parts.reduce((a, p) => a + p.cpuUs, 0),
    ...(parts.some((p) => 'phases' in p) ? { phases: mergeParts(parts.map((p) => p.phases)) } : {}),
    partMaxRssMB: Math.max(...parts.map((p) => p.maxRssMB)),
    perRecords: per,
  };
}

/** One writer process of scenario M or M16: reports its CPU and append phases over its own timed phase. */
async function runPart(mod, s, n) {
  const part = Number(args.part);
  const per = n / s.procs;
  const calls = toCalls(makeRecords(part * per, per), s.perCall);
  await warmUp(mod, s, calls, `${args.dir}.warmup-${part}`);
  const store = await mod.open(args.dir, { durable: s.durable });
  collectGarbage();
  process.send({ type: 'ready' });
  await new Promise((resolve) => process.once('message', resolve));
  const cpu0 = process.cpuUsage();
  await drive(store, calls, s.inFlight, s.perCall > 1);
  const cpuUs = cpuUsSince(cpu0);
  process.send({ type: 'done', maxRssMB: maxRssMB(), cpuUs, ...phasesOf(store) });
  await store.close();
  process.disconnect();
}

async function main() {
  const s = SCENARIOS[args.scenario];
  if (!s) throw new Error(`unknown scenario ${args.scenario}`);
  const mod = await loadContender(args.contender);
  const base = { contender: args.contender, scenario: args.scenario };
  if (mod.available) {
    try {
      await mod.available();
    } catch (err) {
      if (err instanceof mod.NotAvailable) return { ...base, status: 'unavailable', reason: err.message };
      throw err;
    }
  }
  if (s.procs > 1 && !mod.multiProcess) return { ...base, status: 'unsupported', reason: 'single-process store' };
  if ((s.kind === 'compact' || s.after === 'F') && !mod.canCompact) return { ...base, status: 'unsupported', reason: 'no compaction' };

  const n = s.kind === 'write' ? countFor(args.scenario, args.quick) : countFor(s.uses, args.quick);
  if (args.part !== undefined) return runPart(mod, s, n);

  let timed;
  let verify;
  if (s.kind === 'write') {
    timed = s.procs > 1 ? await multiProcessScenario(s, n) : await writeScenario(mod, s, n);
    verify = s.verifiedBy ? null : await reopenCount(mod, args.dir);
  } else if (s.kind === 'reopen') {
    // The reopen is the scenario: its count is the proof.
    verify = await reopenCount(mod, args.dir);
    timed = { seconds: verify.seconds, calls: 1, flushes: null };
  } else {
    const store = await mod.open(args.dir, { durable: false });
    const t0 = now();
    await store.compact();
    timed = { seconds: now() - t0, calls: 1, flushes: null };
    await store.close();
    verify = null; // s.verifiedBy (Ec) reopens and counts it
  }
  const result = {
    ...base,
    status: verify === null || verify.count === n ? 'ok' : 'mismatch',
    records: n,
    seconds: timed.seconds,
    rate: n / timed.seconds,
    calls: timed.calls,
    flushes: timed.flushes,
    flushesPerCall: timed.flushes === null ? null : timed.flushes / timed.calls,
    // Only write scenarios measure CPU: a reopen's or compaction's is not per record written.
    cpuUsPerRecord: timed.cpuUs === undefined ? null : timed.cpuUs / n,
    ...('phases' in timed ? { phases: timed.phases } : {}),
    counted: verify?.count ?? null,
    reopenSeconds: verify?.seconds ?? null,
    verifiedBy: verify === null ? s.verifiedBy : null,
    notDurable: Boolean(s.durable && !mod.durableMode),
    maxRssMB: Math.max(maxRssMB(), timed.partMaxRssMB ?? 0),
  };
  return result;
}

main().then(
  (result) => {
    if (result === undefined) return; // a part of scenario M or M16: its parent reports
    process.stdout.write(JSON.stringify(result) + '\n');
    if (result.status === 'mismatch') process.exitCode = 1;
  },
  (err) => {
    const result = { contender: args.contender, scenario: args.scenario, status: 'failed', error: String(err?.stack ?? err) };
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exitCode = 1;
  },
);
