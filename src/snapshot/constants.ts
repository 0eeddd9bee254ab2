/** Every fixed string and number of the snapshot format, named (docs/snapshot-format.md). */

/** `meta.format`; bumped on any change an older reader would misread. */
export const SNAPSHOT_FORMAT = 1;

/** The top-level key of the meta block, always the first entry of a snapshot sdnwal wrote. */
export const META_KEY = 'meta';

/** The meta key naming the table: a name Simple's SDN parser reads (docs/snapshot-format.md). */
export const TABLE_NAME_KEY = 'table_name';

/** The key snapshots written before TABLE_NAME_KEY used; `table` is a keyword of Simple's parser, which drops it. Still read. */
export const LEGACY_TABLE_KEY = 'table';

/**
 * The rows table's name when the table's own name is not a portable SDN name (src/sdn/names.ts),
 * so Simple's parser still reads the rows; meta's `section` names it. `rows_2`, `rows_3`… if taken.
 */
export const PORTABLE_ROWS_SECTION = 'rows';

/** Rows are indented by the writer profile's 4 spaces; a line without it ends the rows. */
export const ROW_INDENT = '    ';

/** The last line of a snapshot: `# rows-crc: <8 hex digits>`, crc32 of the row lines' bytes (each with its LF). */
export const ROWS_CRC_PREFIX = '# rows-crc: ';

/**
 * The line before it: `# meta-crc: <8 hex digits>`, crc32 of the meta block as formatMeta writes
 * the meta's values, so a hand-edited row_count (or any meta value) is caught by count() too.
 * Snapshots written before it have none and are read as before.
 */
export const META_CRC_PREFIX = '# meta-crc: ';

/**
 * The SDN nesting level (MAX_DEPTH in src/sdn/limits.ts) of a row's value that is a collection:
 * the document is level 0, the rows table 1, a row 2, a column's `[…]` or `{…}` 3. So a column
 * value may nest MAX_DEPTH - ROW_VALUE_LEVEL + 1 levels deep (MAX_VALUE_DEPTH, src/store/record.ts).
 */
export const ROW_VALUE_LEVEL = 3;

/** An absent cell (the row has no such column) is written as this bare word; an explicit null as `null`. */
export const ABSENT_CELL = 'nil';

/** The writer flushes its text to the file in chunks of about this many bytes (never the whole table at once). */
export const WRITE_CHUNK_BYTES = 64 * 1024;

/** Readers read the file in chunks of this size and parse the rows one chunk at a time. */
export const READ_CHUNK_BYTES = 1024 * 1024;

/** The meta block is read in steps of this size, so reading it never reads the rows. */
export const HEAD_CHUNK_BYTES = 16 * 1024;

/** A meta block longer than this is damage, not a reason to read the whole file. */
export const MAX_META_BYTES = 1024 * 1024;

/** Bytes read from the end of the file to find the rows-crc line. */
export const TAIL_PROBE_BYTES = 256;
