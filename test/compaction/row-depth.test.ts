// The snapshot's row writer and the SDN reader agree on how deep a row's value may nest: the
// deepest value a record may hold is written and read back; one level more is a typed error
// (SDN_STRINGIFY) and no snapshot is replaced, instead of a file every later read refuses.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, SdnStringifyError } from '../../src/sdn/index.js';
import { writeSnapshotAtomic } from '../../src/snapshot/atomic.js';
import { ROW_VALUE_LEVEL } from '../../src/snapshot/constants.js';
import { formatRow } from '../../src/snapshot/format.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import type { SnapshotMeta } from '../../src/snapshot/meta.js';
import { parseRowLine } from '../../src/snapshot/row-line.js';
import { MAX_VALUE_DEPTH } from '../../src/store/record.js';
import { tablePaths } from '../../src/wal/paths.js';
import { tmpDir } from '../helpers/tmp.js';

function nest(n: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = i % 3 === 0 ? { k: v } : [v];
  return v;
}

function meta(rowCount: number): SnapshotMeta {
  return {
    format: 1, table: 't', tableId: '0123456789abcdef0123456789abcdef', key: 'id', columns: [], absorbedSegment: 1, rowCount,
    writtenAt: undefined, rowsCrc: undefined, section: 't', adopted: false,
  };
}

describe('row value depth', () => {
  it('a row value sits at level ROW_VALUE_LEVEL: document 0, rows table 1, row 2', () => {
    expect(ROW_VALUE_LEVEL).toBe(3);
    expect(MAX_VALUE_DEPTH).toBe(MAX_DEPTH - ROW_VALUE_LEVEL + 1);
  });

  it('formatRow writes a value MAX_VALUE_DEPTH deep that reads back, and refuses one level more', () => {
    const row = { id: 'a', v: nest(MAX_VALUE_DEPTH) };
    expect(parseRowLine(formatRow(row, ['id', 'v']), ['id', 'v'])).toEqual(row);
    expect(() => formatRow({ id: 'a', v: nest(MAX_VALUE_DEPTH + 1) }, ['id', 'v'])).toThrow(SdnStringifyError);
    expect(() => formatRow({ id: 'a', v: nest(MAX_VALUE_DEPTH + 1) }, ['id', 'v'])).toThrow(/nesting too deep/);
  });

  it('a snapshot holding the deepest value loads; one level deeper is refused before the current snapshot is replaced', () => {
    const paths = tablePaths(tmpDir(), 't');
    const rows = [{ id: 'a', v: nest(MAX_VALUE_DEPTH) }, { id: 'b', v: 1 }];
    writeSnapshotAtomic(paths, meta(2), rows);
    const text = fs.readFileSync(paths.snapshot, 'utf8');
    expect([...loadSnapshot(paths.snapshot, { table: 't', key: 'id' })!.rows.values()]).toEqual(rows);

    expect(() => writeSnapshotAtomic(paths, meta(1), [{ id: 'c', v: nest(MAX_VALUE_DEPTH + 1) }])).toThrow(SdnStringifyError);
    expect(fs.readFileSync(paths.snapshot, 'utf8')).toBe(text);
    expect(fs.existsSync(paths.snapshotTmp)).toBe(false);
  });
});
