/** SegmentCursor: incremental catch-up to a published end, SEAL, damage, header checks. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CorruptLogError, SdnwalError } from '../../src/errors.js';
import { encodeEntry, isWrite } from '../../src/wal/entry.js';
import { encodeFrames } from '../../src/wal/frame.js';
import { type CursorRead, SegmentCursor } from '../../src/wal/reader.js';
import { tmpDir } from '../helpers/tmp.js';
import { TABLE, TABLE_ID, buildLog, flipBit, segHeader, write, writeFile } from './log-builder.js';

const SEG = 5;
const expect_ = { table: TABLE, tableId: TABLE_ID };
const keys = (r: CursorRead) => r.entries.map(({ entry }) => (isWrite(entry) ? entry.rows[0]!.key : JSON.stringify(entry)));

/** Append frames for `entries` at the end of the file, as a writer would. */
function append(file: string, ...entries: Parameters<typeof encodeEntry>[0][]): number {
  const start = fs.statSync(file).size;
  fs.appendFileSync(file, encodeFrames(SEG, start, entries.map((e) => encodeEntry(e))));
  return fs.statSync(file).size;
}

describe('SegmentCursor', () => {
  it('reads only what is new on each poll, up to the published end', () => {
    const log = buildLog(SEG, [write(0), write(1)]);
    const file = writeFile(tmpDir(), 'seg', log.buf);
    const c = new SegmentCursor(file, { segNo: SEG, expect: expect_ });
    try {
      expect(c.position).toBe(log.headerLength);
      const first = c.readTo(log.buf.length);
      expect(keys(first)).toEqual(['k0', 'k1']);
      expect(first.entries.map((e) => [e.offset, e.end])).toEqual(log.frames);
      expect(first.end).toBe(log.buf.length);
      expect(keys(c.readTo(log.buf.length))).toEqual([]);

      const published = append(file, write(2), write(3));
      // A batch still being written past published_end is not read.
      const unpublished = append(file, write(4));
      expect(keys(c.readTo(published))).toEqual(['k2', 'k3']);
      expect(c.position).toBe(published);
      expect(keys(c.readTo(unpublished))).toEqual(['k4']);
      expect(c.readTo(unpublished).damage).toBeUndefined();
    } finally {
      c.close();
    }
  });

  it('stops at SEAL and reports the next segment on every later read', () => {
    const log = buildLog(SEG, [write(0), { seal: SEG + 1 }]);
    const file = writeFile(tmpDir(), 'seg', log.buf);
    const c = new SegmentCursor(file, { segNo: SEG });
    try {
      const r = c.readTo(log.buf.length);
      expect(keys(r)).toEqual(['k0', `{"seal":${SEG + 1}}`]);
      expect(r.sealedNext).toBe(SEG + 1);
      expect(c.readTo(log.buf.length + 100)).toEqual({ entries: [], end: log.buf.length, sealedNext: SEG + 1 });
    } finally {
      c.close();
    }
  });

  it('reports damage and stays before it, so the next read reports it again', () => {
    const log = buildLog(SEG, [write(0), write(1), write(2)]);
    const file = writeFile(tmpDir(), 'seg', flipBit(log.buf, log.frames[1]![0] + 20));
    const c = new SegmentCursor(file, { segNo: SEG });
    try {
      const r = c.readTo(log.buf.length);
      expect(keys(r)).toEqual(['k0']);
      expect(r.end).toBe(log.frames[1]![0]);
      expect(r.damage).toMatchObject({ kind: 'unsynced-hole', offset: log.frames[1]![0], framesAfter: 1 });
      expect(c.readTo(log.buf.length).damage).toMatchObject({ offset: log.frames[1]![0] });
    } finally {
      c.close();
    }
  });

  it('a frame cut by a limit that is not a frame boundary is reported, not skipped', () => {
    const log = buildLog(SEG, [write(0), write(1)]);
    const file = writeFile(tmpDir(), 'seg', log.buf);
    const c = new SegmentCursor(file, { segNo: SEG });
    try {
      const r = c.readTo(log.frames[1]![0] + 4);
      expect(keys(r)).toEqual(['k0']);
      expect(r.damage).toMatchObject({ kind: 'torn-tail', offset: log.frames[1]![0], length: 4 });
      expect(keys(c.readTo(log.buf.length))).toEqual(['k1']);
    } finally {
      c.close();
    }
  });

  it('keeps reading through its fd after the file is unlinked (compaction)', () => {
    const log = buildLog(SEG, [write(0)]);
    const file = writeFile(tmpDir(), 'seg', log.buf);
    const c = new SegmentCursor(file, { segNo: SEG });
    fs.unlinkSync(file);
    try {
      expect(keys(c.readTo(log.buf.length))).toEqual(['k0']);
    } finally {
      c.close();
    }
  });

  it('refuses a foreign or damaged segment at open', () => {
    const dir = tmpDir();
    const other = writeFile(dir, 'other', buildLog(SEG, [], segHeader(SEG, { table: 'other' })).buf);
    expect(() => new SegmentCursor(other, { segNo: SEG, expect: expect_ })).toThrow(SdnwalError);
    try {
      new SegmentCursor(other, { segNo: SEG, expect: expect_ });
    } catch (err) {
      expect((err as SdnwalError).code).toBe('FOREIGN_SEGMENT');
    }
    const wrongNo = writeFile(dir, 'wrong', buildLog(SEG + 1, []).buf);
    expect(() => new SegmentCursor(wrongNo, { segNo: SEG })).toThrow(/not segment 5/);
    const torn = writeFile(dir, 'torn', buildLog(SEG, []).buf.subarray(0, 10));
    expect(() => new SegmentCursor(torn, { segNo: SEG })).toThrow(CorruptLogError);
  });

  it('throws CLOSED after close', () => {
    const file = writeFile(tmpDir(), 'seg', buildLog(SEG, [write(0)]).buf);
    const c = new SegmentCursor(file, { segNo: SEG });
    c.close();
    c.close();
    expect(() => c.readTo(1000)).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });
});
