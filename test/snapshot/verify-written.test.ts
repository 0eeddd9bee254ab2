import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SdnwalError } from '../../src/errors.js';
import { type FileIO, realIO, setIO } from '../../src/io.js';
import { createInitialSnapshot, writeSnapshotAtomic } from '../../src/snapshot/atomic.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { readSnapshotMeta } from '../../src/snapshot/meta.js';
import { tablePaths } from '../../src/wal/paths.js';
import { tmpDir } from '../helpers/tmp.js';

const TABLE_ID = '0123456789abcdef0123456789abcdef';

function setup() {
  const paths = tablePaths(tmpDir(), 't');
  createInitialSnapshot(paths, { key: 'id', columns: ['id', 'n'] }, TABLE_ID);
  const before = fs.readFileSync(paths.snapshot);
  const rows = Array.from({ length: 5000 }, (_, i) => ({ id: `k${i}`, n: i }));
  const meta = { ...readSnapshotMeta(paths.snapshot)!, absorbedSegment: 4, rowCount: rows.length, writtenAt: undefined };
  return { paths, before, rows, meta };
}

/** An I/O seam that changes one byte of what reaches (or comes back from) the temp file. */
function flipping(tmp: string, when: 'write' | 'read'): FileIO {
  const fds = new Set<number>();
  return {
    ...realIO,
    openSync: (p, f, m) => {
      const fd = realIO.openSync(p, f, m);
      if (p === tmp) fds.add(fd);
      return fd;
    },
    writeSync: (fd, b, o, l, p) => {
      if (when !== 'write' || !fds.has(fd) || l < 1000) return realIO.writeSync(fd, b, o, l, p);
      const copy = Buffer.from(b.subarray(o, o + l));
      copy[l - 20] ^= 1;
      return realIO.writeSync(fd, copy, 0, l, p);
    },
    readSync: (fd, b, o, l, p) => {
      const n = realIO.readSync(fd, b, o, l, p);
      if (when === 'read' && fds.has(fd) && l > 50_000 && n > 50_000) b[o + 40_000]! ^= 1;
      return n;
    },
  };
}

describe('verifying a snapshot just written', () => {
  afterEach(() => setIO(realIO));

  it('accepts a good file: it loads with every row', () => {
    const { paths, rows, meta } = setup();
    writeSnapshotAtomic(paths, meta, rows);
    const loaded = loadSnapshot(paths.snapshot, { table: 't', key: 'id' })!;
    expect(loaded.rows.size).toBe(rows.length);
    expect(loaded.meta.absorbedSegment).toBe(4);
  });

  for (const when of ['write', 'read'] as const) {
    it(`refuses a file whose bytes differ from the bytes meant (a byte changed on ${when}); the current snapshot stays`, () => {
      const { paths, before, rows, meta } = setup();
      setIO(flipping(paths.snapshotTmp, when));
      let err: unknown;
      try {
        writeSnapshotAtomic(paths, meta, rows);
      } catch (e) {
        err = e;
      }
      setIO(realIO);
      expect(err).toBeInstanceOf(SdnwalError);
      expect((err as SdnwalError).code).toBe('CORRUPT_SNAPSHOT');
      expect((err as Error).message).toMatch(/crc/);
      expect(fs.readFileSync(paths.snapshot).equals(before)).toBe(true);
      expect(fs.existsSync(paths.snapshotTmp)).toBe(false);
      expect(fs.existsSync(paths.snapshotPrev)).toBe(false);
    });
  }
});
