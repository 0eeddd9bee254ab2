/**
 * Adopting an SDN file that has no sdnwal meta block (the Simple project's todo/feature/task
 * databases) as a table's first snapshot: absorbed segment 0, no table id, and its other
 * top-level sections kept verbatim and in order. Such files are parsed whole (they are small, and
 * the first compaction turns them into a streamed snapshot).
 *
 * Which named table holds the rows: the one named like the table; else, among the named tables
 * whose columns include the key column (all of them when the key is not known), the one with the
 * most rows (the first on a tie). The key column, when the caller gives none, is `id` if the
 * table has one, else its first column.
 */
import { SdnParseError, SdnwalError, lineColumn } from '../errors.js';
import { io } from '../io.js';
import type { CstEntry, CstTable } from '../sdn/cst.js';
import { parseText } from '../sdn/parser.js';
import { META_KEY, SNAPSHOT_FORMAT } from './constants.js';
import { CorruptSnapshotError } from './corrupt.js';
import type { ExtraSection, SnapshotMeta } from './meta.js';

export interface AdoptedFile {
  meta: SnapshotMeta;
  rows: Record<string, unknown>[];
  /** 1-based line of row `i`, for error messages. */
  lineOfRow(i: number): number;
  extra: ExtraSection[];
}

type NamedTable = CstEntry & { node: CstTable };

function isNamedTable(e: CstEntry): e is NamedTable {
  return e.node.kind === 'table' && e.node.columns !== null && Array.isArray(e.value);
}

/** Read and adopt the whole file open at `fd`. */
export function adoptFile(fd: number, file: string, table: string, key: string | undefined): AdoptedFile {
  const size = io.fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let got = 0;
  while (got < size) {
    const n = io.readSync(fd, buf, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return adoptText(buf.toString('utf8', 0, got), file, table, key);
}

export function adoptText(text: string, file: string, table: string, key: string | undefined): AdoptedFile {
  let cst;
  try {
    cst = parseText(text, true).cst!;
  } catch (err) {
    if (err instanceof SdnParseError) throw new CorruptSnapshotError(file, err.line, err.reason, { cause: err });
    throw err;
  }
  const entries = cst.entries;
  const line = (offset: number): number => lineColumn(text, offset).line;
  const meta = entries.find((e) => e.key === META_KEY);
  if (meta) {
    // Our meta block would be written in front of it: two `meta` keys, and the file would not load.
    throw new SdnwalError('INVALID_OPTION', `cannot adopt ${file}: its top-level \`meta\` entry (line ${line(meta.start)}) is not an sdnwal meta block; rename that entry first`);
  }
  const section = chooseSection(entries, table, key);
  if (!section && entries.length > 0) {
    throw new CorruptSnapshotError(file, line(entries[0]!.start), `no named table (\`name |a, b|\`) holds the rows of table ${table}`);
  }
  const name = section?.key ?? table;
  const twice = entries.find((e) => e !== section && e.key === name);
  if (twice) throw new CorruptSnapshotError(file, line(twice.start), `a second top-level entry named ${JSON.stringify(name)}`);
  const rows = (section?.value ?? []) as Record<string, unknown>[];
  const columns = section ? [...section.node.columns!] : key ? [key] : [];
  if (key !== undefined && section && !columns.includes(key)) {
    throw new SdnwalError('INVALID_OPTION', `cannot adopt ${file}: its table ${name} has no key column ${JSON.stringify(key)} (columns: ${columns.join(', ')})`);
  }
  // Without a key hint (read-only tools, recovery): the column named `id`, else the first one.
  const chosenKey = key ?? (columns.includes('id') ? 'id' : columns[0]);
  const extra: ExtraSection[] = entries
    .filter((e) => e !== section)
    .map((e) => ({ name: e.key, value: e.value, before: section ? e.start < section.start : true, text: text.slice(e.start, e.end) }));
  return {
    meta: {
      format: SNAPSHOT_FORMAT,
      table,
      tableId: undefined,
      key: chosenKey,
      columns,
      absorbedSegment: 0,
      rowCount: rows.length,
      writtenAt: undefined,
      rowsCrc: undefined,
      section: name,
      adopted: true,
    },
    rows,
    lineOfRow: (i) => line(section!.node.rows[i]?.start ?? section!.start),
    extra,
  };
}

function chooseSection(entries: CstEntry[], table: string, key: string | undefined): NamedTable | undefined {
  const tables = entries.filter(isNamedTable);
  const named = tables.find((t) => t.key === table);
  if (named) return named;
  const withKey = key === undefined ? tables : tables.filter((t) => t.node.columns!.includes(key));
  let best: NamedTable | undefined;
  for (const t of withKey) if (!best || (t.value as unknown[]).length > (best.value as unknown[]).length) best = t;
  return best;
}
