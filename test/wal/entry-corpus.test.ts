// The entry corpus (test/fixtures/wal/entries.json, made by make-entries.mjs with msgpackr itself):
// payload bytes and what they decode to, or that they are refused. The decoder, the packer and the
// two readers that take entries from their bytes (count()'s keys, the compactor's insert lines)
// must all agree with it: a fast reader either declines or gives what the decoder gives.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InsertLines } from '../../src/compaction/insert-lines.js';
import { decodeEntry, encodeEntry, isWrite, type PendingWrite } from '../../src/wal/entry.js';
import { readEntryKeys } from '../../src/wal/entry-keys.js';
import { packWrite } from '../../src/wal/entry-pack.js';
import { parseRowLine } from '../../src/snapshot/row-line.js';

interface Case {
  name: string;
  hex: string;
  entry?: unknown;
  accepted?: boolean;
  refused?: boolean;
}

const cases = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../fixtures/wal/entries.json'), 'utf8')) as Case[];

describe('the entry corpus', () => {
  it('holds accepted and refused payloads of every kind', () => {
    expect(cases.filter((c) => c.refused).length).toBeGreaterThanOrEqual(5);
    expect(cases.filter((c) => c.entry).length).toBeGreaterThanOrEqual(5);
    // The fast readers take the plain writes (so the agreement checks below are not vacuous).
    const plain = Buffer.from(cases[0]!.hex, 'hex');
    expect(readEntryKeys(plain)?.count).toBe(1);
    expect(new InsertLines(['id', 'n', 'done', 'note'], 'id').read(plain)).toBe(1);
  });

  for (const c of cases) {
    const payload = Buffer.from(c.hex, 'hex');
    describe(c.name, () => {
      it('the decoder gives the entry, or refuses with CORRUPT_LOG', () => {
        if (c.refused) {
          expect(() => decodeEntry(payload)).toThrow(expect.objectContaining({ code: 'CORRUPT_LOG' }));
          return;
        }
        const e = decodeEntry(payload);
        if (c.entry) expect(e).toEqual(c.entry);
      });

      it('the packer writes an accepted write so that it decodes to the same entry', () => {
        if (c.refused) return;
        const e = decodeEntry(payload);
        if (!isWrite(e)) return;
        const packed = packWrite(e) ?? encodeEntry(e);
        expect(decodeEntry(packed)).toEqual(e);
      });

      it("count()'s key reader declines or reads the decoder's operation and keys", () => {
        const keys = readEntryKeys(payload);
        if (!keys) return;
        expect(c.refused).toBeFalsy();
        const e = decodeEntry(payload) as PendingWrite;
        expect(keys.operation).toBe(e.operation);
        const read = Array.from({ length: keys.count }, (_, i) => payload.toString('utf8', keys.starts[i]!, keys.ends[i]!));
        expect(read).toEqual(e.rows.map((r) => r.key));
      });

      it("the compactor's insert reader declines or gives the decoder's rows as lines", () => {
        const columns = ['id', 'n', 'done', 'note'];
        const lines = new InsertLines(columns, 'id');
        const n = lines.read(payload);
        if (n < 0) return;
        expect(c.refused).toBeFalsy();
        const e = decodeEntry(payload) as PendingWrite;
        expect(e.operation).toBe('insert');
        expect(lines.keys.slice(0, n)).toEqual(e.rows.map((r) => r.key));
        for (let i = 0; i < n; i++) {
          const line = lines.lines.toString('utf8', i === 0 ? 0 : lines.ends[i - 1]!, lines.ends[i]!);
          const row = parseRowLine(line, columns);
          const want = Object.fromEntries(Object.entries(e.rows[i]!.values ?? {}).filter(([, v]) => v !== undefined));
          expect(Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined))).toEqual(want);
        }
      });
    });
  }
});
