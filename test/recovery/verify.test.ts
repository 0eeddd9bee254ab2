import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatVerifyReport, recover, verify } from '../../src/recovery/index.js';
import { tmpDir } from '../helpers/tmp.js';
import { buildTable, hashTree } from './log-builder.js';

describe('verify', () => {
  it('a clean store is ok, with its entry and row counts', async () => {
    const dir = tmpDir();
    buildTable(dir, 'todos', [3, 2]);
    const r = await verify(dir);
    expect(r.ok).toBe(true);
    expect(r.tables).toEqual([{ table: 'todos', ok: true, rows: 5, segments: 2, entries: 5, findings: [] }]);
    expect(formatVerifyReport(r)).toMatch(/ok: no damage found/);
  });

  it('finds a torn tail, mid-log corruption, a missing SEAL, foreign and stray files; never writes', async () => {
    const dir = tmpDir();
    const a = buildTable(dir, 'alpha', [3]);
    fs.appendFileSync(a.segments[0]!.file, Buffer.alloc(20));
    const b = buildTable(dir, 'beta', [4, 1]);
    const buf = fs.readFileSync(b.segments[0]!.file);
    buf[b.segments[0]!.starts[1]! + 13]! ^= 4;
    fs.writeFileSync(b.segments[0]!.file, buf);
    fs.writeFileSync(path.join(b.paths.wal, 'junk.bin'), 'x');
    fs.writeFileSync(path.join(dir, 'stray.txt'), 'x');
    const before = hashTree(dir);
    const r = await verify(dir);
    expect(hashTree(dir)).toEqual(before);
    expect(r.ok).toBe(false);
    const alpha = r.tables.find((t) => t.table === 'alpha')!;
    expect(alpha.findings).toEqual([expect.objectContaining({ severity: 'error', code: 'TORN_TAIL', offset: a.segments[0]!.size })]);
    const beta = r.tables.find((t) => t.table === 'beta')!;
    expect(beta.findings.map((f) => f.code).sort()).toEqual(['CORRUPT_LOG', 'FOREIGN_FILE']);
    expect(beta.findings.find((f) => f.code === 'CORRUPT_LOG')!.offset).toBe(b.segments[0]!.starts[1]);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'STRAY_FILE', file: 'stray.txt' })]);
    expect(formatVerifyReport(r)).toMatch(/FAILED/);
  });

  it('a gap in the segments is MISSING_SEGMENT', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [1, 1, 1]);
    fs.unlinkSync(t.segments[1]!.file);
    const r = await verify(dir);
    expect(r.tables[0]!.findings).toContainEqual(expect.objectContaining({ code: 'MISSING_SEGMENT', file: 'todos.wal/00000000000000000002.seg' }));
  });

  it('is clean after recover repaired a torn tail', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [3]);
    fs.appendFileSync(t.segments[0]!.file, Buffer.alloc(7, 1));
    expect((await verify(dir)).ok).toBe(false);
    await recover(dir);
    expect((await verify(dir)).ok).toBe(true);
  });

  it('a missing directory is NOT_FOUND', async () => {
    await expect(verify(path.join(tmpDir(), 'none'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
