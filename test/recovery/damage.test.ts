import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptLogError } from '../../src/errors.js';
import { recover } from '../../src/recovery/index.js';
import { isPad, isWrite } from '../../src/wal/entry.js';
import { scanSegment } from '../../src/wal/reader.js';
import { tmpDir } from '../helpers/tmp.js';
import { appendFrames, buildTable, write } from './log-builder.js';

function entriesIn(file: string, segNo: number): { keys: string[]; pads: number; damage: number; sealedNext?: number } {
  const keys: string[] = [];
  let pads = 0;
  const r = scanSegment({ path: file }, { segNo, onEntry: (e) => (isWrite(e) ? keys.push(e.rows[0]!.key) : isPad(e) && pads++) });
  return { keys, pads, damage: r.damage.length, sealedNext: r.sealedNext };
}

function flipBit(file: string, offset: number): void {
  const b = fs.readFileSync(file);
  b[offset]! ^= 0x10;
  fs.writeFileSync(file, b);
}

describe('recover: a flipped bit mid-log', () => {
  // 10 frames, each synced up to the frame before it, so the flip is in bytes that were durable.
  const setup = () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [10]);
    const seg = t.segments[0]!;
    const at = seg.starts[4]! + 20; // inside frame 4's payload
    flipBit(seg.file, at);
    return { dir, seg, frame4: seg.starts[4]!, frame4Len: seg.starts[5]! - seg.starts[4]! };
  };

  it('tolerate-tail fails with CORRUPT_LOG naming the file, the offset and --salvage, and changes nothing', async () => {
    const { dir, seg, frame4 } = setup();
    const before = fs.readFileSync(seg.file);
    const err = await recover(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptLogError);
    expect(err).toMatchObject({ code: 'CORRUPT_LOG', file: seg.file, offset: frame4 });
    expect((err as Error).message).toContain(seg.file);
    expect((err as Error).message).toContain(`offset ${frame4}`);
    expect((err as Error).message).toContain('--salvage');
    expect(fs.readFileSync(seg.file).equals(before)).toBe(true);
  });

  it('strict fails naming file and offset', async () => {
    const { dir, seg, frame4 } = setup();
    await expect(recover(dir, { policy: 'strict' })).rejects.toMatchObject({ code: 'CORRUPT_LOG', file: seg.file, offset: frame4 });
  });

  it('salvage pads over the damaged frame in place, keeps every frame after it, and quarantines the original bytes', async () => {
    const { dir, seg, frame4, frame4Len } = setup();
    const damaged = fs.readFileSync(seg.file).subarray(frame4, frame4 + frame4Len);
    const report = await recover(dir, { policy: 'salvage' });
    const t = report.tables[0]!;
    expect(t.salvaged).toHaveLength(1);
    expect(t.salvaged[0]).toMatchObject({ segment: 1, offset: frame4, length: frame4Len });
    expect(fs.readFileSync(t.salvaged[0]!.file).equals(damaged)).toBe(true);
    expect(fs.statSync(seg.file).size).toBe(seg.size); // no offset moved
    const after = entriesIn(seg.file, 1);
    expect(after.damage).toBe(0);
    expect(after.pads).toBe(1);
    expect(after.keys).toEqual(['k1-0', 'k1-1', 'k1-2', 'k1-3', 'k1-5', 'k1-6', 'k1-7', 'k1-8', 'k1-9']);
    // Now clean under the default policy.
    const again = await recover(dir);
    expect(again.tables[0]!.salvaged).toEqual([]);
    expect(again.tables[0]!.entriesScanned).toBe(10);
  });

  it('salvage reports every damaged range', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [12]);
    const seg = t.segments[0]!;
    flipBit(seg.file, seg.starts[2]! + 15);
    flipBit(seg.file, seg.starts[7]! + 2); // in the header: len or hcrc
    const report = await recover(dir, { policy: 'salvage' });
    expect(report.tables[0]!.salvaged.map((s) => s.offset)).toEqual([seg.starts[2], seg.starts[7]]);
    expect(entriesIn(seg.file, 1).keys).toHaveLength(10);
  });

  it('a hole no later frame had synced (a power-loss hole) is cut under tolerate-tail, with the frames after it', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [3]);
    const seg = t.segments[0]!;
    // Frames written after the last fdatasync: synced stays at the end of frame 2.
    const synced = seg.size;
    appendFrames(seg, [write('u0', synced), write('u1', synced), write('u2', synced)]);
    const hole = seg.starts[3]!;
    const b = fs.readFileSync(seg.file);
    b.fill(0, hole, seg.starts[4]!);
    fs.writeFileSync(seg.file, b);
    const report = await recover(dir);
    const q = report.tables[0]!.quarantined;
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ offset: hole, length: seg.size - hole });
    expect(q[0]!.reason).toMatch(/unsynced-hole \(2 unacknowledged/);
    expect(entriesIn(seg.file, 1).keys).toEqual(['k1-0', 'k1-1', 'k1-2']);
  });

  it('damage in a sealed segment is corruption even at its end; salvage re-seals it', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [3, 2]);
    const s1 = t.segments[0]!;
    // Zero the SEAL frame: in a sealed segment this is not a torn tail.
    const sealAt = s1.starts.at(-1)!;
    const b = fs.readFileSync(s1.file);
    b.fill(0, sealAt);
    fs.writeFileSync(s1.file, b);
    await expect(recover(dir)).rejects.toMatchObject({ code: 'CORRUPT_LOG', offset: sealAt });
    const report = await recover(dir, { policy: 'salvage' });
    expect(report.tables[0]!.quarantined[0]).toMatchObject({ segment: 1, offset: sealAt });
    const after = entriesIn(s1.file, 1);
    expect(after.sealedNext).toBe(2);
    expect(after.keys).toEqual(['k1-0', 'k1-1', 'k1-2']);
    expect((await recover(dir)).ok).toBe(true);
  });
});

describe('recover: a zero-filled segment header', () => {
  it.each([
    ['a middle (sealed) segment', 1],
    ['the active segment', 2],
  ])('in %s: salvage writes the header again from the table identity and keeps every frame', async (_, i) => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [3, 4, 2]);
    const seg = t.segments[i]!;
    const b = fs.readFileSync(seg.file);
    b.fill(0, 0, seg.headerLength);
    fs.writeFileSync(seg.file, b);
    await expect(recover(dir)).rejects.toMatchObject({ code: 'CORRUPT_LOG', offset: 0 });
    await expect(recover(dir, { policy: 'strict' })).rejects.toMatchObject({ code: 'CORRUPT_LOG' });
    const dry = await recover(dir, { policy: 'salvage', dryRun: true });
    expect(dry.tables[0]!.salvaged[0]).toMatchObject({ segment: seg.segNo, offset: 0 });
    const report = await recover(dir, { policy: 'salvage' });
    expect(report.tables[0]!.salvaged[0]).toMatchObject({ segment: seg.segNo, offset: 0, length: seg.headerLength });
    expect(fs.readFileSync(report.tables[0]!.salvaged[0]!.file)).toEqual(Buffer.alloc(seg.headerLength));
    expect(entriesIn(seg.file, seg.segNo).keys).toEqual(Array.from({ length: [3, 4, 2][i]! }, (_, j) => `k${seg.segNo}-${j}`));
    expect((await recover(dir)).ok).toBe(true);
  });
});

describe('recover: log structure', () => {
  it('a missing segment in the middle is CORRUPT_LOG naming it, never silent loss', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [2, 2, 2]);
    fs.unlinkSync(t.segments[1]!.file);
    const err = await recover(dir).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CORRUPT_LOG', segment: 2 });
    expect((err as Error).message).toContain(path.basename(t.segments[1]!.file));
    // Salvage cannot make up for it either.
    await expect(recover(dir, { policy: 'salvage' })).rejects.toMatchObject({ code: 'CORRUPT_LOG' });
  });

  it('a missing first segment above the snapshot is an error', async () => {
    const dir = tmpDir();
    buildTable(dir, 'todos', [2, 2], 2); // segments 2 and 3, nothing absorbed
    await expect(recover(dir)).rejects.toMatchObject({ code: 'CORRUPT_LOG', segment: 1 });
  });

  it('a foreign file in the log directory is reported and left alone', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [2]);
    const foreign = path.join(t.paths.wal, 'notes.txt');
    fs.writeFileSync(foreign, 'hello');
    const report = await recover(dir);
    expect(report.tables[0]!.foreign).toEqual(['todos.wal/notes.txt']);
    expect(fs.readFileSync(foreign, 'utf8')).toBe('hello');
  });

  it('a segment whose header names another table is FOREIGN_SEGMENT', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [2, 1]);
    const other = buildTable(path.join(dir, 'x'), 'other', [1], 2);
    fs.copyFileSync(other.segments[0]!.file, t.segments[1]!.file);
    await expect(recover(dir)).rejects.toMatchObject({ code: 'FOREIGN_SEGMENT' });
  });

  it('a zero-length highest segment is quarantined and its header written again', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [2, 0]);
    fs.truncateSync(t.segments[1]!.file, 0);
    const report = await recover(dir);
    expect(report.tables[0]!.quarantined[0]).toMatchObject({ segment: 2, offset: 0, length: 0 });
    expect(fs.statSync(t.segments[1]!.file).size).toBe(t.segments[1]!.headerLength);
    expect(entriesIn(t.segments[1]!.file, 2).damage).toBe(0);
    expect((await recover(dir)).tables[0]!.quarantined).toEqual([]);
  });

  it('a header cut short in the highest segment is a torn tail (strict fails)', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [2, 0]);
    const head = fs.readFileSync(t.segments[1]!.file).subarray(0, 20);
    fs.writeFileSync(t.segments[1]!.file, head);
    await expect(recover(dir, { policy: 'strict' })).rejects.toMatchObject({ code: 'CORRUPT_LOG' });
    const report = await recover(dir);
    expect(fs.readFileSync(report.tables[0]!.quarantined[0]!.file).equals(head)).toBe(true);
    expect(fs.statSync(t.segments[1]!.file).size).toBe(t.segments[1]!.headerLength);
  });

  it('an empty (header-only) highest segment is fine', async () => {
    const dir = tmpDir();
    buildTable(dir, 'todos', [2, 0]);
    const report = await recover(dir);
    expect(report.tables[0]).toMatchObject({ segments: [1, 2], quarantined: [], entriesScanned: 3 });
  });

  it('a segment below the highest without a SEAL is CORRUPT_LOG', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [2, 1]);
    fs.truncateSync(t.segments[0]!.file, t.segments[0]!.starts.at(-1)!); // drop the SEAL cleanly
    await expect(recover(dir)).rejects.toMatchObject({ code: 'CORRUPT_LOG', message: expect.stringMatching(/does not end in a SEAL/) });
  });

  it('finishes an interrupted roll: SEAL written, next segment missing', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [2]);
    appendFrames(t.segments[0]!, [{ seal: 2 }]);
    fs.writeFileSync(path.join(t.paths.wal, '00000000000000000002.seg.tmp'), 'partial');
    const report = await recover(dir);
    expect(report.tables[0]).toMatchObject({ rollFinished: true, segments: [1, 2], tempFilesRemoved: ['todos.wal/00000000000000000002.seg.tmp'] });
    expect(entriesIn(path.join(t.paths.wal, '00000000000000000002.seg'), 2).damage).toBe(0);
    expect((await recover(dir)).tables[0]!.rollFinished).toBe(false);
  });

  it('a missing store directory is NOT_FOUND and creates nothing', async () => {
    const dir = path.join(tmpDir(), 'nope');
    await expect(recover(dir)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fs.existsSync(dir)).toBe(false);
  });
});
