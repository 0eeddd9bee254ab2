import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recover } from '../../src/recovery/index.js';
import { isWrite } from '../../src/wal/entry.js';
import { scanSegment } from '../../src/wal/reader.js';
import { tmpDir } from '../helpers/tmp.js';
import { buildTable } from './log-builder.js';

/** Keys of the write entries in a segment, in order, and whether the scan found damage. */
function keysIn(file: string, segNo: number): { keys: string[]; damaged: boolean } {
  const keys: string[] = [];
  const r = scanSegment({ path: file }, { segNo, onEntry: (e) => isWrite(e) && keys.push(e.rows[0]!.key) });
  return { keys, damaged: r.damage.length > 0 };
}

describe('recover: torn tails (tolerate-tail)', () => {
  it('cut at every byte offset of the last three frames: complete frames kept, the rest quarantined byte for byte', async () => {
    const base = tmpDir();
    const src = buildTable(path.join(base, 'src'), 'todos', [8]);
    const seg = src.segments[0]!;
    const whole = fs.readFileSync(seg.file);
    const from = seg.starts[seg.starts.length - 3]!;
    let runs = 0;
    for (let cut = from; cut < seg.size; cut++) {
      const dir = path.join(base, `cut-${cut}`);
      const t = buildTable(dir, 'todos', [0], 1, src.tableId);
      fs.writeFileSync(t.segments[0]!.file, whole.subarray(0, cut));
      const report = await recover(dir);
      const boundary = [...seg.starts, seg.size].filter((s) => s <= cut).at(-1)!;
      const complete = seg.starts.filter((s, i) => (seg.starts[i + 1] ?? seg.size) <= cut).length;
      const after = keysIn(t.segments[0]!.file, 1);
      expect(after.damaged).toBe(false);
      expect(after.keys).toHaveLength(complete);
      expect(fs.statSync(t.segments[0]!.file).size).toBe(boundary);
      const q = report.tables[0]!.quarantined;
      if (cut === boundary) {
        expect(q).toEqual([]);
      } else {
        expect(q).toHaveLength(1);
        expect(q[0]).toMatchObject({ segment: 1, offset: boundary, length: cut - boundary });
        expect(fs.readFileSync(q[0]!.file).equals(whole.subarray(boundary, cut))).toBe(true);
      }
      runs++;
    }
    expect(runs).toBeGreaterThan(100);
  });

  it.each([1, 11, 12, 13, 100, 4096, 70_000])('a zero-filled tail of %i bytes is quarantined and cut', async (n) => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [5]);
    const seg = t.segments[0]!;
    fs.appendFileSync(seg.file, Buffer.alloc(n));
    const report = await recover(dir);
    expect(fs.statSync(seg.file).size).toBe(seg.size);
    expect(keysIn(seg.file, 1).keys).toHaveLength(5);
    const q = report.tables[0]!.quarantined;
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ offset: seg.size, length: n });
    expect(fs.readFileSync(q[0]!.file).equals(Buffer.alloc(n))).toBe(true);
    expect(q[0]!.reason).toMatch(/torn/);
  });

  it.each([3, 12, 40, 5000])('%i bytes of garbage after the last frame are quarantined and cut', async (n) => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [4]);
    const seg = t.segments[0]!;
    const garbage = Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + 7) & 0xff));
    fs.appendFileSync(seg.file, garbage);
    const report = await recover(dir);
    expect(fs.statSync(seg.file).size).toBe(seg.size);
    expect(keysIn(seg.file, 1).keys).toEqual(['k1-0', 'k1-1', 'k1-2', 'k1-3']);
    const q = report.tables[0]!.quarantined[0]!;
    expect(fs.readFileSync(q.file).equals(garbage)).toBe(true);
    // The quarantine record describes the range.
    const json = JSON.parse(fs.readFileSync(q.file.replace(/\.bin$/, '.json'), 'utf8'));
    expect(json).toMatchObject({ table: 'todos', segment: 1, offset: seg.size, length: n });
  });

  it('a second run finds nothing more to do (idempotent)', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [3]);
    fs.appendFileSync(t.segments[0]!.file, Buffer.alloc(30, 0xee));
    const first = await recover(dir);
    expect(first.tables[0]!.quarantined).toHaveLength(1);
    const second = await recover(dir);
    expect(second.tables[0]!.quarantined).toEqual([]);
    expect(second.tables[0]!.entriesScanned).toBe(3);
  });

  it('strict fails on a torn tail and changes nothing', async () => {
    const dir = tmpDir();
    const t = buildTable(dir, 'todos', [3]);
    fs.appendFileSync(t.segments[0]!.file, Buffer.alloc(30));
    const before = fs.readFileSync(t.segments[0]!.file);
    await expect(recover(dir, { policy: 'strict' })).rejects.toMatchObject({ code: 'CORRUPT_LOG', offset: t.segments[0]!.size });
    expect(fs.readFileSync(t.segments[0]!.file).equals(before)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'quarantine'))).toBe(false);
  });
});
