import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { events, seed } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

describe('sdnwal stats', () => {
  it('--json reports each table: rows, segments, log bytes, entries since the snapshot, spool, quarantine', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    await seed(dir, 'a', events(3, 5));
    await seed(dir, 'b', events(0, 1));
    const r = await runCli(['stats', dir, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.dir).toBe(path.resolve(dir));
    expect(j.tables.map((t: { table: string }) => t.table)).toEqual(['a', 'b']);
    const a = j.tables[0];
    expect(a).toMatchObject({ table: 'a', rows: 5, entriesSinceSnapshot: 2, spool: 0, quarantinedBytes: 0, problems: [] });
    expect(a.segments).toBeGreaterThanOrEqual(1);
    expect(a.logBytes).toBeGreaterThan(0);
    expect(a.snapshotAgeSeconds).toEqual(expect.any(Number));
  });

  it('after a compaction no entries remain above the snapshot', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    await runCli(['compact', dir]);
    const a = JSON.parse((await runCli(['stats', dir, '--json'])).stdout).tables[0];
    expect(a).toMatchObject({ rows: 3, entriesSinceSnapshot: 0, bytesAboveSnapshot: expect.any(Number) });
    expect(a.absorbedSegment).toBeGreaterThan(0);
  });

  it('prints a text block per table', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 3));
    const r = await runCli(['stats', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^a$/m);
    expect(r.stdout).toMatch(/^ {2}rows {20}3$/m);
    expect(r.stdout).toMatch(/^ {2}entries since snapshot {2}1$/m);
  });

  it('counts bytes in quarantine for the table', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 1));
    fs.mkdirSync(path.join(dir, 'quarantine'));
    fs.writeFileSync(path.join(dir, 'quarantine', 'a.1.100.json'), JSON.stringify({ table: 'a', segment: 1, offset: 100, length: 42, reason: 'torn-tail', file: 'x', at: '' }));
    const a = JSON.parse((await runCli(['stats', dir, '--json'])).stdout).tables[0];
    expect(a.quarantinedBytes).toBe(42);
  });

  it('a missing store exits 1 and creates nothing; an empty one has no tables', async () => {
    const missing = path.join(tmpDir(), 'nope');
    const r = await runCli(['stats', missing]);
    expect(r.code).toBe(1);
    expect(fs.existsSync(missing)).toBe(false);
    const empty = tmpDir();
    expect(JSON.parse((await runCli(['stats', empty, '--json'])).stdout)).toEqual({ dir: empty, tables: [] });
  });
});
