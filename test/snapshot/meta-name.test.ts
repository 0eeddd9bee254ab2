// The meta names its table under `table_name` (a key Simple's SDN parser keeps; `table` is its
// keyword), the rows table has a portable name, and snapshots with the older `table:` still load.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from '../../src/sdn/index.js';
import { writeSnapshotAtomic } from '../../src/snapshot/atomic.js';
import { formatMeta } from '../../src/snapshot/format.js';
import { readSnapshotMeta, type SnapshotMeta } from '../../src/snapshot/meta.js';
import { rowsSection } from '../../src/snapshot/section.js';
import { tablePaths } from '../../src/wal/paths.js';
import { tmpDir } from '../helpers/tmp.js';

const meta = (over: Partial<SnapshotMeta> = {}): SnapshotMeta => ({
  format: 1, table: 'todos', tableId: '0123456789abcdef0123456789abcdef', key: 'id', columns: ['id'], absorbedSegment: 2,
  rowCount: 0, writtenAt: '2026-01-01T00:00:00.000Z', rowsCrc: undefined, section: 'todos', adopted: false, ...over,
});

describe('snapshot meta: table_name', () => {
  it('is written under table_name, which any SDN reader keeps', () => {
    const text = formatMeta(meta());
    expect(text.split('\n').slice(0, 3)).toEqual(['meta:', '    format: 1', '    table_name: "todos"']);
    expect(parse(text).meta).toMatchObject({ table_name: 'todos' });
    expect(text).not.toMatch(/\btable:/);
  });

  it('an older meta (`table:`) is formatted back byte for byte as it was written, for its meta-crc', () => {
    expect(formatMeta(meta({ legacyTableKey: true }))).toBe([
      'meta:', '    format: 1', '    table: "todos"', '    table_id: "0123456789abcdef0123456789abcdef"', '    key: "id"',
      '    columns = ["id"]', '    absorbed_segment: 2', '    row_count: 0', '    written_at: "2026-01-01T00:00:00.000Z"', '',
    ].join('\n'));
  });

  it('reads either key (table_name first); a new snapshot never keeps the older one', () => {
    const paths = tablePaths(tmpDir(), 'todos');
    writeSnapshotAtomic(paths, meta({ legacyTableKey: true }), []);
    const text = fs.readFileSync(paths.snapshot, 'utf8');
    expect(text).toContain('    table_name: "todos"\n');
    expect(readSnapshotMeta(paths.snapshot)).toMatchObject({ table: 'todos' });
    expect(readSnapshotMeta(paths.snapshot)!.legacyTableKey).toBeUndefined();
    fs.writeFileSync(paths.snapshot, 'meta:\n    format: 1\n    table: "todos"\n    absorbed_segment: 0\n    row_count: 0\ntodos |id|\n# rows-crc: 00000000\n');
    expect(readSnapshotMeta(paths.snapshot)).toMatchObject({ table: 'todos', legacyTableKey: true });
  });
});

describe('the rows table name', () => {
  const x = (name: string) => ({ name, value: null, before: true });
  it('is the table name when portable, else `rows` (`rows_2`… when an extra section has it); an adopted name is kept', () => {
    expect(rowsSection({ table: 'todos', section: 'todos' }, [])).toBe('todos');
    expect(rowsSection({ table: 'my-table', section: 'my-table' }, [])).toBe('my-table');
    expect(rowsSection({ table: '1abc', section: '1abc' }, [])).toBe('rows');
    expect(rowsSection({ table: 'table', section: 'table' }, [])).toBe('rows');
    expect(rowsSection({ table: '1abc', section: '1abc' }, [x('rows'), x('rows_2')])).toBe('rows_3');
    expect(rowsSection({ table: 'todo_db', section: 'todos' }, [])).toBe('todos');
    expect(rowsSection({ table: '1abc', section: 'rows' }, [])).toBe('rows');
  });

  it('writeSnapshotAtomic writes a non-portable table under `rows`, named in meta.section', () => {
    const paths = tablePaths(tmpDir(), '1abc');
    writeSnapshotAtomic(paths, meta({ table: '1abc', section: '1abc', rowCount: 1 }), [{ id: 'a' }]);
    const text = fs.readFileSync(paths.snapshot, 'utf8');
    expect(text).toContain('    section: "rows"\nrows |id|\n    "a"\n');
    expect(readSnapshotMeta(paths.snapshot)).toMatchObject({ table: '1abc', section: 'rows' });
  });
});
