import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { events, seed } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

/** The highest segment file of table `t`. */
function activeSegment(dir: string, t: string): string {
  const wal = path.join(dir, `${t}.wal`);
  const segs = fs.readdirSync(wal).filter((n) => n.endsWith('.seg')).sort();
  return path.join(wal, segs.at(-1)!);
}

/** A torn tail, as a writer killed mid-write leaves it: half a frame header after the last frame. */
function tearTail(dir: string, t: string): void {
  fs.appendFileSync(activeSegment(dir, t), Buffer.from([0x40, 0, 0, 0, 0x12, 0x34]));
}

/** Damage inside the last published frame (bytes past the published end would be a live writer's, not damage). */
function flipLastByte(dir: string, t: string): void {
  const file = activeSegment(dir, t);
  const buf = fs.readFileSync(file);
  buf[buf.length - 1] ^= 0xff;
  fs.writeFileSync(file, buf);
}

describe('sdnwal recover', () => {
  it('a clean store: exit 0, a text report ending "ok"', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    const r = await runCli(['recover', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^recovery of .*, policy tolerate-tail$/m);
    expect(r.stdout).toMatch(/^table a /m);
    expect(r.stdout).toMatch(/^ok: 1 table, 0 bytes quarantined/m);
  });

  it('--json prints the report; --dry-run changes nothing', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    tearTail(dir, 'a');
    const size = fs.statSync(activeSegment(dir, 'a')).size;
    const dry = await runCli(['recover', dir, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const j = JSON.parse(dry.stdout);
    expect(j).toMatchObject({ dryRun: true, policy: 'tolerate-tail', ok: true });
    expect(j.tables[0].quarantined).toHaveLength(1);
    expect(fs.statSync(activeSegment(dir, 'a')).size).toBe(size);
    expect(fs.existsSync(path.join(dir, 'quarantine'))).toBe(false);
  });

  it('cuts a torn tail into quarantine and the table reads whole', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    tearTail(dir, 'a');
    const r = await runCli(['recover', dir, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.ok).toBe(true);
    expect(j.tables[0].quarantined[0]).toMatchObject({ length: 6 });
    expect(fs.readdirSync(path.join(dir, 'quarantine')).some((n) => n.endsWith('.bin'))).toBe(true);
    expect((await runCli(['count', dir, 'a'])).stdout).toBe('3\n');
    expect((await runCli(['verify', dir])).code).toBe(0);
  });

  it('--strict fails on a torn tail with exit 1', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    tearTail(dir, 'a');
    const r = await runCli(['recover', dir, '--strict', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).ok).toBe(false);
  });

  it('bad usage exits 2; a missing store exits 1 and creates nothing', async () => {
    const dir = tmpDir();
    expect((await runCli(['recover', dir, '--salvage', '--strict'])).code).toBe(2);
    expect((await runCli(['recover'])).code).toBe(2);
    const missing = path.join(dir, 'nope');
    const r = await runCli(['recover', missing]);
    expect(r).toEqual({ code: 1, stdout: '', stderr: `error: no store at ${missing}\n` });
    expect(fs.existsSync(missing)).toBe(false);
  });
});

describe('sdnwal verify', () => {
  it('a clean store exits 0, with --json too', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    expect((await runCli(['verify', dir])).code).toBe(0);
    const j = await runCli(['verify', dir, '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout).ok).toBe(true);
  });

  it('damage found exits 1 and nothing is changed', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    await seed(dir, 'a', events(3, 4));
    flipLastByte(dir, 'a');
    const size = fs.statSync(activeSegment(dir, 'a')).size;
    const r = await runCli(['verify', dir, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.ok).toBe(false);
    expect(j.tables[0].findings.map((f: { code: string }) => f.code)).toContain('TORN_TAIL');
    expect(fs.statSync(activeSegment(dir, 'a')).size).toBe(size);
    const text = await runCli(['verify', dir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^table a: DAMAGED/m);
  });

  it('a missing store exits 1 and creates nothing', async () => {
    const missing = path.join(tmpDir(), 'nope');
    expect((await runCli(['verify', missing])).code).toBe(1);
    expect(fs.existsSync(missing)).toBe(false);
  });
});
