import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SdnwalError } from '../../src/errors.js';
import { writeSnapshotAtomic } from '../../src/snapshot/atomic.js';
import { compactTable } from '../../src/compaction/compactor.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { readSnapshotMeta } from '../../src/snapshot/meta.js';
import type { Operation } from '../../src/wal/entry.js';
import { applyWrite } from '../../src/replay/rules.js';
import { readWalDir } from '../../src/wal/segment.js';
import { segmentPath } from '../../src/wal/tail.js';
import type { WriteRequest } from '../../src/wal/writer.js';
import { tmpDir } from '../helpers/tmp.js';
import { makeTable, plain, readState, type Rows } from '../snapshot/helpers.js';

const w = (operation: Operation, key: string, values?: Record<string, unknown>): WriteRequest => ({
  operation, rows: [{ key, ...(values ? { values } : {}) }], timestamp: 1,
});

async function mix(append: (x: WriteRequest) => Promise<void>, from: number, n: number): Promise<void> {
  for (let i = from; i < from + n; i++) {
    await append(w('insert', `k${i}`, { id: `k${i}`, n: i, tags: ['a', i], note: i % 3 === 0 ? null : `note ${i}` }));
    if (i % 4 === 1) await append(w('update', `k${i - 1}`, { id: `k${i - 1}`, n: -i, extra: { nested: true } }));
    if (i % 5 === 2) await append(w('delete', `k${i - 2}`));
    if (i % 7 === 3) await append(w('update', `missing${i}`, { id: `missing${i}`, n: 0 }));
    if (i % 7 === 4) await append(w('delete', `missing${i}`));
  }
}

describe('compactTable', () => {
  it('folds the log into the snapshot: the state is the same before and after, and the log is rolled', async () => {
    const { paths, writer } = makeTable(tmpDir());
    await mix((x) => writer.append(x), 0, 60);
    const before = readState(paths);
    const r = await compactTable(paths, writer, { force: true });
    expect(r).toMatchObject({ table: 'todos', skipped: false, segmentsAbsorbed: [1], deletedSegments: [], absorbedSegment: 1, rows: before.size });
    expect(r.entriesApplied).toBeGreaterThan(60);
    expect(r.counts.updateMissing).toBeGreaterThan(0);
    expect(r.counts.deleteMissing).toBeGreaterThan(0);
    expect(readSnapshotMeta(paths.snapshot)).toMatchObject({ absorbedSegment: 1, rowCount: before.size });
    expect(plain(loadSnapshot(paths.snapshot, { table: 'todos' })!.rows)).toEqual(plain(before));
    expect(plain(readState(paths))).toEqual(plain(before));
    // Segment 1 is kept (prev absorbed 0): prev + segments above 0 is the fallback.
    expect(readWalDir(paths.wal).segments).toEqual([1, 2]);
    expect(readSnapshotMeta(paths.snapshotPrev)).toMatchObject({ absorbedSegment: 0, rowCount: 0 });
    expect(plain(readState(paths, 'id', paths.snapshotPrev))).toEqual(plain(before));

    await mix((x) => writer.append(x), 60, 30);
    const before2 = readState(paths);
    const r2 = await compactTable(paths, writer, { force: true });
    expect(r2).toMatchObject({ segmentsAbsorbed: [2], deletedSegments: [1], absorbedSegment: 2 });
    expect(readWalDir(paths.wal).segments).toEqual([2, 3]);
    expect(plain(readState(paths))).toEqual(plain(before2));
    expect(plain(readState(paths, 'id', paths.snapshotPrev))).toEqual(plain(before2));
    await writer.close();
  });

  it('equals a replay from an empty snapshot for random operation sequences with compactions in between (property)', async () => {
    const value = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }));
    const values = fc.record({ a: value, b: value, c: value }, { requiredKeys: [] });
    const op = fc.oneof(
      fc.record({ kind: fc.constantFrom('insert', 'update', 'delete'), key: fc.integer({ min: 0, max: 6 }), values }),
      fc.constant({ kind: 'compact' as const, key: 0, values: {} }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const { paths, writer } = makeTable(tmpDir(), 'p', { key: 'id', columns: ['id', 'a', 'b', 'c'] }, 600);
        const expected: Rows = new Map();
        for (const o of ops) {
          if (o.kind === 'compact') {
            const before = plain(readState(paths));
            await compactTable(paths, writer, { force: true });
            expect(plain(readState(paths))).toEqual(before);
            continue;
          }
          const key = `k${o.key}`;
          const x = w(o.kind as Operation, key, o.kind === 'delete' ? undefined : { id: key, ...o.values });
          applyWrite(expected, x);
          await writer.append(x);
        }
        await compactTable(paths, writer, { force: true });
        expect(plain(loadSnapshot(paths.snapshot, { table: 'p' })!.rows)).toEqual(plain(expected));
        expect(plain(readState(paths))).toEqual(plain(expected));
        await writer.close();
      }),
      { numRuns: 40 },
    );
  });

  it('unforced, skips while the log above the snapshot is small', async () => {
    const { paths, writer } = makeTable(tmpDir());
    await mix((x) => writer.append(x), 0, 10);
    const r = await compactTable(paths, writer, { force: false });
    expect(r.skipped).toBe(true);
    expect(r.reason).toMatch(/below the 4194304-byte threshold/);
    expect(readSnapshotMeta(paths.snapshot)!.absorbedSegment).toBe(0);
    const r2 = await compactTable(paths, writer, { force: false, minBytes: 100 });
    expect(r2).toMatchObject({ skipped: false, absorbedSegment: 1 });
    await writer.close();
  });

  it('two compactions started together: both resolve, one is skipped, the snapshot is correct', async () => {
    const { paths, writer } = makeTable(tmpDir());
    await mix((x) => writer.append(x), 0, 40);
    const before = readState(paths);
    const [a, b] = await Promise.all([compactTable(paths, writer, { force: true }), compactTable(paths, writer, { force: true })]);
    const skipped = [a, b].filter((r) => r.skipped);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.reason).toBe('compaction of todos already running; skipped');
    expect(readSnapshotMeta(paths.snapshot)!.absorbedSegment).toBe(1);
    expect(plain(readState(paths))).toEqual(plain(before));
    // The lock was released: the next one runs.
    expect((await compactTable(paths, writer, { force: true })).skipped).toBe(false);
    await writer.close();
  });

  it('a crash between "snapshot renamed" and "segments deleted" loses and doubles nothing', async () => {
    const { paths, writer } = makeTable(tmpDir());
    await mix((x) => writer.append(x), 0, 30);
    await compactTable(paths, writer, { force: true }); // absorbed 1, segment 1 kept
    await mix((x) => writer.append(x), 30, 30);
    const before = readState(paths);
    // Steps 3-6 by hand (roll, fold, write + rename), then "crash" before step 7.
    const n = await writer.roll();
    const rows = readState(paths); // snapshot + segments 2..n (all sealed now)
    writeSnapshotAtomic(paths, { ...readSnapshotMeta(paths.snapshot)!, absorbedSegment: n, rowCount: rows.size, writtenAt: undefined }, rows.values() as never as Record<string, unknown>[] , [], { columns: ['id', 'n', 'tags', 'note', 'extra'] });
    expect(readWalDir(paths.wal).segments).toEqual([1, 2, 3]);
    expect(plain(readState(paths))).toEqual(plain(before));
    expect(plain(readState(paths, 'id', paths.snapshotPrev))).toEqual(plain(before));
    await mix((x) => writer.append(x), 60, 5);
    const later = readState(paths);
    // The next compaction finishes the job: deletes what prev (absorbed 1... now 2) absorbed.
    const r = await compactTable(paths, writer, { force: true });
    expect(r.deletedSegments).toEqual([1, 2]);
    expect(plain(readState(paths))).toEqual(plain(later));
    await writer.close();
  });

  it('a leftover .tmp is ignored by readers and replaced by the next compaction', async () => {
    const { paths, writer } = makeTable(tmpDir());
    await mix((x) => writer.append(x), 0, 10);
    fs.writeFileSync(paths.snapshotTmp, 'meta:\n    format: 1\n    table: "todos"\ngarbage |x|\n    cut sh');
    const before = readState(paths);
    expect(plain(readState(paths))).toEqual(plain(before));
    await compactTable(paths, writer, { force: true });
    expect(fs.existsSync(paths.snapshotTmp)).toBe(false);
    expect(plain(readState(paths))).toEqual(plain(before));
    await writer.close();
  });

  it('a corrupted newest snapshot is CORRUPT_SNAPSHOT; .prev plus the log above it is the whole table', async () => {
    const { paths, writer } = makeTable(tmpDir());
    await mix((x) => writer.append(x), 0, 30);
    await compactTable(paths, writer, { force: true });
    await mix((x) => writer.append(x), 30, 10);
    const truth = readState(paths);
    const text = fs.readFileSync(paths.snapshot, 'utf8');
    // One changed digit inside a row: still valid SDN, caught by the rows crc.
    fs.writeFileSync(paths.snapshot, text.replace('"note 4"', '"note 5"'));
    expect(() => loadSnapshot(paths.snapshot, { table: 'todos' })).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', message: expect.stringMatching(/rows-crc/) }));
    // Cut short: no rows-crc line.
    fs.writeFileSync(paths.snapshot, text.slice(0, text.length - 40));
    expect(() => loadSnapshot(paths.snapshot, { table: 'todos' })).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT' }));
    // Unparsable row: the error names its line.
    const lines = text.split('\n');
    const bad = lines.findIndex((l) => l.startsWith('    "k'));
    lines[bad] = '    "k1", [unclosed';
    fs.writeFileSync(paths.snapshot, lines.join('\n'));
    expect(() => loadSnapshot(paths.snapshot, { table: 'todos' })).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', line: bad + 1 }));
    expect(plain(readState(paths, 'id', paths.snapshotPrev))).toEqual(plain(truth));
    // A compaction refuses to build on the bad snapshot and changes nothing.
    const segs = readWalDir(paths.wal).segments;
    await expect(compactTable(paths, writer, { force: true })).rejects.toMatchObject({ code: 'CORRUPT_SNAPSHOT' });
    expect(readWalDir(paths.wal).segments).toEqual(segs);
    expect(fs.readFileSync(paths.snapshot, 'utf8')).toBe(lines.join('\n'));
    await writer.close();
  });

  it('a snapshot whose meta names another table is CORRUPT_SNAPSHOT with the line of meta.table', () => {
    const dir = tmpDir();
    const { paths } = makeTable(dir);
    fs.renameSync(paths.snapshot, `${dir}/other.sdn`);
    expect(() => loadSnapshot(`${dir}/other.sdn`, { table: 'other' })).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', line: 3 }));
    fs.writeFileSync(paths.snapshot, 'meta:\n    format: 1\n    table: "todos"\n    absorbed_segment: -1\n    row_count: 0\n');
    expect(() => loadSnapshot(paths.snapshot, { table: 'todos' })).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', line: 4 }));
    fs.writeFileSync(paths.snapshot, 'meta:\n    format: 1\n    table: "todos\n');
    expect(() => readSnapshotMeta(paths.snapshot)).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', line: 3 }));
  });

  it('damage in a sealed segment is CORRUPT_LOG and nothing is written or deleted', async () => {
    const { paths, writer } = makeTable(tmpDir());
    await mix((x) => writer.append(x), 0, 20);
    await writer.roll();
    const seg = segmentPath(paths, 1);
    const bytes = fs.readFileSync(seg);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    fs.writeFileSync(seg, bytes);
    const snap = fs.readFileSync(paths.snapshot);
    const err = await compactTable(paths, writer, { force: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SdnwalError);
    expect((err as SdnwalError).code).toBe('CORRUPT_LOG');
    expect(fs.readFileSync(paths.snapshot).equals(snap)).toBe(true);
    expect(fs.existsSync(paths.snapshotTmp)).toBe(false);
    await writer.close();
  });

  it('compacts without a writer of its own (constructs one to roll), and with no log at all', async () => {
    const { paths, writer } = makeTable(tmpDir());
    await mix((x) => writer.append(x), 0, 10);
    await writer.close();
    const before = readState(paths);
    const r = await compactTable(paths, undefined, { force: true });
    expect(r).toMatchObject({ skipped: false, absorbedSegment: 1 });
    expect(plain(readState(paths))).toEqual(plain(before));
    const empty = makeTable(tmpDir());
    await empty.writer.close();
    expect(await compactTable(empty.paths, undefined, { force: true })).toMatchObject({ skipped: false, absorbedSegment: 0, rows: 0 });
  });
});
