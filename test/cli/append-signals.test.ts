/**
 * `sdnwal append` as a real process fed a stream that stays open: records from a slow producer
 * land without waiting for a full batch (nor for the end of the input), and SIGINT/SIGTERM stop it with an exact count of what
 * was acknowledged. Timing is only ever waited for (with generous deadlines), never asserted.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { runCli } from '../helpers/cli.js';
import { EVENT_COLUMNS, events, ndjson } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/sdnwal.js', import.meta.url));
// Only a bound on a hang, never a speed check: CI runs this beside other multi-process tests on 2 cores.
const DEADLINE_MS = 45_000;
const APPEND = (dir: string, ...more: string[]) => ['append', dir, 'events', '--key', 'id', '--columns', EVENT_COLUMNS.join(','), ...more];

interface Appender {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the process has exited, with what it printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function startAppend(args: string[]): Appender {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.on('error', () => {}); // EPIPE once the child is gone: expected
  const exited = new Promise<Awaited<Appender['exited']>>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

/** Rows in the table now (0 while it does not exist yet), read as `sdnwal count` does. */
async function count(dir: string): Promise<number> {
  const r = await runCli(['count', dir, 'events']);
  return r.code === 0 ? Number(r.stdout) : 0;
}

async function waitFor(what: string, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Write one record every `everyMs` until stopped, which says how many were written whole. */
function trickle(child: ChildProcessWithoutNullStreams, everyMs: number): { stop(): number } {
  let n = 0;
  const timer = setInterval(() => {
    child.stdin.write(ndjson(events(n, n + 1)));
    n++;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return n;
    },
  };
}

async function ids(dir: string): Promise<string[]> {
  const store = await openStore(dir, { readOnly: true });
  try {
    return (await (await store.table('events')).all()).map((r) => String(r.id)).sort();
  } finally {
    await store.close();
  }
}

/** The ids of the input's first `n` records, sorted as `ids` sorts. */
const prefix = (n: number) => events(0, n).map((e) => String(e.id)).sort();

describe('sdnwal append on a live stream', () => {
  it('a slow producer: records are written without a full batch, with stdin still open', async () => {
    const dir = tmpDir();
    const a = startAppend(APPEND(dir));
    // A line every 10 ms, never a quiet spell: records still land while the producer goes on.
    const feed = trickle(a.child, 10);
    await waitFor('records in the store while the producer still writes', async () => (await count(dir)) >= 10);
    const sent = feed.stop();
    // The producer is quiet now but stdin stays open: the rest lands too.
    await waitFor(`all ${sent} records in the store`, async () => (await count(dir)) === sent);
    expect(a.child.exitCode).toBeNull(); // still reading
    a.child.stdin.end();
    const r = await a.exited;
    expect(r).toMatchObject({ code: 0, stdout: `appended ${sent} records to events\n` });
    expect(await ids(dir)).toEqual(prefix(sent));
  });

  it('SIGINT mid-stream: writes what was read whole, says how many on stderr, exits 130; a half-written line is dropped', async () => {
    const dir = tmpDir();
    const a = startAppend(APPEND(dir));
    const feed = trickle(a.child, 10);
    await waitFor('some records in the store', async () => (await count(dir)) >= 5);
    const sent = feed.stop();
    a.child.stdin.write('{"id": "half", "n": 1'); // no end of line: never a whole record
    a.child.kill('SIGINT');
    const r = await a.exited;
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    // Progress lines may come first (stderr is not a terminal).
    const m = /(?:^|\n)interrupted by SIGINT: the first (\d+) record\(s\) of the input were appended to events and acknowledged; nothing after them was written\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const acknowledged = Number(m![1]);
    expect(acknowledged).toBeGreaterThanOrEqual(5);
    expect(acknowledged).toBeLessThanOrEqual(sent);
    expect(await count(dir)).toBe(acknowledged);
    expect(await ids(dir)).toEqual(prefix(acknowledged));
  });

  it('SIGTERM on a fast stream with --json: one JSON object with the exact count, exit 143', async () => {
    const dir = tmpDir();
    const a = startAppend(APPEND(dir, '--batch', '50', '--json'));
    // Pump records as fast as the pipe takes them, and never end the input.
    let sent = 0;
    let closed = false;
    void a.exited.then(() => (closed = true));
    const pump = (): void => {
      while (!closed && a.child.stdin.writable) {
        const chunk = ndjson(events(sent, sent + 200));
        sent += 200;
        if (!a.child.stdin.write(chunk)) return void a.child.stdin.once('drain', pump);
      }
    };
    pump();
    await waitFor('a few batches in the store', async () => (await count(dir)) >= 200);
    a.child.kill('SIGTERM');
    const r = await a.exited;
    expect(r.signal).toBeNull();
    expect(r.code).toBe(143);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { table: string; appended: number; acknowledged: number; interrupted: string };
    expect(out).toEqual({ table: 'events', appended: out.acknowledged, acknowledged: out.acknowledged, interrupted: 'SIGTERM' });
    expect(out.acknowledged).toBeGreaterThanOrEqual(200);
    expect(await count(dir)).toBe(out.acknowledged);
    expect(await ids(dir)).toEqual(prefix(out.acknowledged));
  });

  it('SIGINT before any record: 0 acknowledged, exit 130', async () => {
    const dir = path.join(tmpDir(), 'db');
    const a = startAppend(APPEND(dir, '--json'));
    // The table exists once the store is open and the table made: then the handlers are in place.
    await waitFor('the table to exist', async () => (await runCli(['count', dir, 'events'])).code === 0);
    a.child.kill('SIGINT');
    const r = await a.exited;
    expect(r.code).toBe(130);
    expect(JSON.parse(r.stdout)).toEqual({ table: 'events', appended: 0, acknowledged: 0, interrupted: 'SIGINT' });
    expect(await count(dir)).toBe(0);
  });
});
