/** One reader of the table id a log names, shared by the store, the compactor and recovery. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableIdFromLog } from '../../src/wal/log-id.js';
import { tablePaths } from '../../src/wal/paths.js';
import { createSegmentFile, newTableId } from '../../src/wal/segment.js';
import { tmpDir } from '../helpers/tmp.js';

describe('tableIdFromLog', () => {
  it('reads the lowest segment whose header reads; no log, or no readable header, is undefined', () => {
    const paths = tablePaths(tmpDir(), 't');
    expect(tableIdFromLog(paths)).toBeUndefined();
    fs.mkdirSync(paths.wal);
    const id = newTableId();
    const first = createSegmentFile(paths.wal, { formatVersion: 1, table: 't', tableId: id, segment: 3 });
    createSegmentFile(paths.wal, { formatVersion: 1, table: 't', tableId: id, segment: 4 });
    expect(tableIdFromLog(paths)).toBe(id);
    fs.writeFileSync(first, Buffer.alloc(64)); // a zeroed header: the next segment says it
    expect(tableIdFromLog(paths)).toBe(id);
    fs.writeFileSync(path.join(paths.wal, '00000000000000000004.seg'), 'garbage');
    expect(tableIdFromLog(paths)).toBeUndefined();
  });
});
