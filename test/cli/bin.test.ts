/** The CLI as real processes through bin/sdnwal.js (dist/ is built by test/global-setup.ts): concurrent appenders, the demo end to end. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { ndjson } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'sdnwal.js');

function runBin(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('sdnwal as real processes', () => {
  it('4 concurrent `append` processes on one table: every record present exactly once', async () => {
    const dir = tmpDir();
    const per = 600;
    const inputs = [0, 1, 2, 3].map((w) => ndjson(Array.from({ length: per }, (_, i) => ({ id: `w${w}-${i}`, writer: w, i }))));
    const results = await Promise.all(inputs.map((input) => runBin(['append', dir, 'events', '--key', 'id', '--columns', 'id,writer,i', '--batch', '25', '--json'], input)));
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ table: 'events', appended: per });
    }
    // Exactly once: every id, and every frame's rows counted across the log, equal 4 x per.
    const store = await openStore(dir, { readOnly: true });
    const rows = await (await store.table('events')).all();
    await store.close();
    expect(rows).toHaveLength(4 * per);
    const ids = new Set(rows.map((r) => r.id));
    for (let w = 0; w < 4; w++) for (let i = 0; i < per; i++) expect(ids.has(`w${w}-${i}`)).toBe(true);
    const tail = await runBin(['tail', dir, 'events', '--json']);
    const logged = tail.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { keys: string[] });
    const keys = logged.flatMap((e) => e.keys);
    expect(keys).toHaveLength(4 * per);
    expect(new Set(keys).size).toBe(4 * per);
  }, 60_000);

  it('`sdnwal demo DIR` runs end to end and exits 0', async () => {
    const dir = path.join(tmpDir(), 'demo');
    const r = await runBin(['demo', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`a store in ${dir}`);
    expect(r.stdout).toMatch(/killed scanner \d \(pid \d+\) with SIGKILL/);
    expect(r.stdout).toMatch(/\d+ records acknowledged in [\d.]+ s: \d+ records\/s/);
    expect(r.stdout).toMatch(/appends per fdatasync/);
    expect(r.stdout).toMatch(/^recovery after the kill/m);
    expect(r.stdout).toMatch(/check: all \d+ acknowledged records are in the snapshot exactly once/);
    expect(r.stdout).toMatch(/meta:/);
    expect(r.stdout.trimEnd().endsWith('demo ok')).toBe(true);
    expect(fs.existsSync(path.join(dir, 'todos.sdn'))).toBe(true);
  }, 120_000);

  it('`compact --every` as a process: a SIGTERM between runs ends it with exit 0', async () => {
    const dir = tmpDir();
    const ap = await runBin(['append', dir, 'events', '--key', 'id'], ndjson([{ id: 'a' }, { id: 'b' }]));
    expect(ap.code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'compact', dir, '--every', '1h', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (c) => {
        stdout += c;
        if (stdout.includes('\n')) resolve();
      }),
    );
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).toBe('');
    expect(JSON.parse(stdout).tables[0]).toMatchObject({ table: 'events', rows: 2, skipped: false });
  }, 60_000);

  it('`sdnwal demo` refuses a directory that is not empty', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'x'), '');
    const r = await runBin(['demo', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the demo needs an empty directory/);
  }, 60_000);
});
