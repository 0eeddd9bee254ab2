/**
 * Crash tests with real processes (docs/protocol.md §12): writer children (sync 'always', many
 * appends in flight) and a compactor child are SIGKILLed at random moments; the store is then
 * recovered and reopened, and every acknowledged write must be there exactly as acknowledged,
 * nothing doubled, nothing that was never written. SDNWAL_CRASH_ROUNDS=N asks for N crashes.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { recoverStoreOnOpen } from '../../src/recovery/index.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { openStore } from '../../src/store/store.js';
import { isWrite } from '../../src/wal/entry.js';
import { tablePaths } from '../../src/wal/paths.js';
import { scanSegment } from '../../src/wal/reader.js';
import { readWalDir } from '../../src/wal/segment.js';
import { segmentPath } from '../../src/wal/tail.js';
import { busyCores } from '../helpers/busy.js';
import { tmpDir } from '../helpers/tmp.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'test/fixtures/recovery');
const CRASHES = Number(process.env.SDNWAL_CRASH_ROUNDS ?? 0) || 54;
const WRITERS = 4;
const ID = /^r\d+c\d+-\d+$/;

beforeAll(() => {
  // vitest's global setup builds dist/; build here only when run without it.
  if (fs.existsSync(path.join(root, 'dist/recovery/index.js'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
}, 120_000);

interface Kid {
  proc: ChildProcess;
  acks: string[];
  ready: Promise<void>;
  exited: Promise<NodeJS.Signals | null>;
  stderr: string[];
}

function spawnKid(script: string, args: string[]): Kid {
  const proc = spawn(process.execPath, [path.join(fixtures, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: string[] = [];
  const stderr: string[] = [];
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  let rest = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      if (l === 'ready') onReady();
      else if (ID.test(l)) acks.push(l);
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => stderr.push(c));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => {
    onReady(); // a child that died before it was ready must not hang the round
    resolve(signal);
  }));
  return { proc, acks, ready, exited, stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo));

/** Recover and reopen; check every acknowledged write, no doubles, nothing never written. */
const modes = { fast: 0, full: 0 };

async function check(dir: string, acked: Set<string>): Promise<number> {
  // What openStore runs: the same boot and a valid control record, so mostly the fast path.
  for (const t of (await recoverStoreOnOpen(dir)).tables) modes[t.mode]++;
  const store = await openStore(dir, { sync: 'always' });
  try {
    const t = await store.table('todos');
    const rows = new Map((await t.all()).map((r) => [String(r.id), r]));
    for (const id of acked) expect(rows.get(id), `acknowledged ${id} missing`).toEqual({ id, text: `value of ${id}`, len: id.length });
    for (const [id, r] of rows) {
      expect(id).toMatch(ID);
      expect(r).toEqual({ id, text: `value of ${id}`, len: id.length });
    }
    // Each key was inserted once: it is in at most one place among the snapshot and the log above it.
    const paths = tablePaths(dir, 'todos');
    const snap = loadSnapshot(paths.snapshot, { table: 'todos' });
    const absorbed = snap?.meta.absorbedSegment ?? 0;
    const seen = new Map<string, number>();
    for (const k of snap?.rows.keys() ?? []) seen.set(k, 1);
    for (const s of readWalDir(paths.wal).segments.filter((x) => x > absorbed)) {
      scanSegment({ path: segmentPath(paths, s) }, {
        segNo: s,
        onEntry: (e) => {
          if (isWrite(e)) for (const row of e.rows) seen.set(row.key, (seen.get(row.key) ?? 0) + 1);
        },
      });
    }
    const doubled = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
    expect(doubled, 'doubled writes').toEqual([]);
    return rows.size;
  } finally {
    await store.close();
  }
}

async function makeTable(dir: string): Promise<void> {
  const store = await openStore(dir, { sync: 'always' });
  await store.table('todos', { key: 'id' });
  await store.close();
}

interface CrashRun {
  /** Writer processes per round. */
  writers: number;
  /** Stop after at least this many kills. */
  crashes: number;
  /** Rounds on one store before a fresh one (the log grows, rolls and is compacted across crashes). */
  roundsPerStore: number;
  /** Every round (not every other one) runs a compactor too. */
  compactorEveryRound: boolean;
}

async function crashRounds(run: CrashRun): Promise<{ crashes: number; compactorKills: number }> {
  let crashes = 0;
  let round = 0;
  let dir = '';
  let acked = new Set<string>();
  let compactorKills = 0;
  while (crashes < run.crashes) {
    if (round % run.roundsPerStore === 0) {
      dir = tmpDir('sdnwal-crash-');
      acked = new Set();
      await makeTable(dir);
    }
    const kids = Array.from({ length: run.writers }, (_, i) => spawnKid('writer.mjs', [dir, `r${round}c${i}`, String(rand(4, 16)), '16384']));
    const compactor = run.compactorEveryRound || round % 2 === 1 ? spawnKid('compactor.mjs', [dir]) : undefined;
    await Promise.all([...kids, ...(compactor ? [compactor] : [])].map((k) => k.ready));
    await sleep(rand(30, 250));
    // Each one dies at its own moment.
    const all = [...kids, ...(compactor ? [compactor] : [])];
    await Promise.all(all.map(async (k) => {
      await sleep(rand(0, 60));
      k.proc.kill('SIGKILL');
    }));
    const signals = await Promise.all(all.map((k) => k.exited));
    for (const [i, s] of signals.entries()) {
      if (s !== 'SIGKILL') throw new Error(`child exited on its own (${s}): ${all[i]!.stderr.join('')}`);
    }
    crashes += all.length;
    if (compactor) compactorKills++;
    for (const k of kids) for (const a of k.acks) acked.add(a);
    const rows = await check(dir, acked);
    expect(rows).toBeGreaterThanOrEqual(acked.size);
    round++;
  }
  if (process.env.SDNWAL_CRASH_DEBUG) console.log({ crashes, rounds: round, lastAcked: acked.size, modes });
  return { crashes, compactorKills };
}

describe(`kill -9 (${CRASHES} crashes)`, () => {
  it('writers and a compactor killed at random moments lose no acknowledged write', async () => {
    const r = await crashRounds({ writers: WRITERS, crashes: CRASHES, roundsPerStore: 6, compactorEveryRound: false });
    expect(r.crashes).toBeGreaterThanOrEqual(CRASHES);
    expect(r.compactorKills).toBeGreaterThan(0);
    expect(modes.fast).toBeGreaterThan(0);
  }, Math.max(120_000, CRASHES * 2_000));

  it('16 writer processes and the compactor on busy cores, killed at random moments, lose no acknowledged write', async () => {
    const busy = busyCores();
    try {
      const r = await crashRounds({ writers: 16, crashes: 3 * 17, roundsPerStore: 3, compactorEveryRound: true });
      expect(r.compactorKills).toBe(3);
    } finally {
      busy.stop();
    }
  }, 180_000);
});
