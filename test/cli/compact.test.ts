import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { events, seed } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

const HOLD_LOCK = fileURLToPath(new URL('../fixtures/hold-lock.mjs', import.meta.url));

describe('sdnwal compact', () => {
  it('compacts every table; the snapshot then holds the rows and the tail is empty', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 4));
    await seed(dir, 'b', events(0, 2));
    const r = await runCli(['compact', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^compacted a: 4 rows, 1 entries applied, .* absorbed segment \d+/m);
    expect(r.stdout).toMatch(/^compacted b: 2 rows/m);
    expect(fs.readFileSync(path.join(dir, 'a.sdn'), 'utf8')).toContain('"e3"');
    expect((await runCli(['tail', dir, 'a'])).stdout).toBe('');
    expect((await runCli(['count', dir, 'a'])).stdout).toBe('4\n');
  });

  it('--json prints {"tables": [report]}; only the named tables are compacted', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    await seed(dir, 'b', events(0, 2));
    const r = await runCli(['compact', dir, 'b', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.tables).toHaveLength(1);
    expect(j.tables[0]).toMatchObject({ table: 'b', skipped: false, rows: 2, entriesApplied: 1 });
    expect(j.tables[0]).toHaveProperty('absorbedSegment');
    expect(j.tables[0]).toHaveProperty('bytesAfter');
    expect((await runCli(['tail', dir, 'a'])).stdout).not.toBe('');
  });

  it('a compaction already running elsewhere: "already running; skipped", exit 0', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    const holder = spawn(process.execPath, [HOLD_LOCK, path.join(dir, 'a.compact.lock')], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout!.on('data', (c) => String(c).includes('locked') && resolve()));
      const r = await runCli(['compact', dir]);
      expect(r).toEqual({ code: 0, stdout: 'compaction of a already running; skipped\n', stderr: '' });
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a missing store, an empty one, or a missing table exits 1 and creates nothing', async () => {
    const root = tmpDir();
    const missing = path.join(root, 'nope');
    expect(await runCli(['compact', missing])).toEqual({ code: 1, stdout: '', stderr: `error: no store at ${missing}\n` });
    expect(fs.existsSync(missing)).toBe(false);
    const empty = tmpDir();
    expect((await runCli(['compact', empty, '--json'])).code).toBe(1);
    expect(fs.readdirSync(empty)).toEqual([]);
    await seed(empty, 'a', events(0, 1));
    const before = fs.readdirSync(empty).sort();
    const r = await runCli(['compact', empty, 'zz']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no table zz/);
    expect(fs.readdirSync(empty).sort()).toEqual(before);
  });

  it('bad --every is a usage error', async () => {
    const dir = tmpDir();
    expect((await runCli(['compact', dir, '--every', 'often'])).code).toBe(2);
    expect((await runCli(['compact'])).code).toBe(2);
  });

  it('--every loops until SIGTERM, then exits 0', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 2));
    const out = new PassThrough();
    let stdout = '';
    out.on('data', (c) => (stdout += c));
    const running = cli(['compact', dir, '--every', '1h', '--json'], { stdin: Readable.from(['']), stdout: out, stderr: new PassThrough() });
    for (let i = 0; i < 400 && !stdout.includes('\n'); i++) await new Promise((r) => setTimeout(r, 25));
    process.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
    const runs = stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(runs).toHaveLength(1);
    expect(runs[0].tables[0]).toMatchObject({ table: 'a', rows: 2 });
  });
});
