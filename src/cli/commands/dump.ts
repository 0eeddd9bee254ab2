/** `sdnwal dump`: every row of a table as NDJSON (default), a JSON array, an SDN document or CSV. */
import type { Writable } from 'node:stream';
import { stringify } from '../../sdn/index.js';
import type { SdnValue } from '../../sdn/values.js';
import { CSV_EOL, csvHeader, toCsv } from '../../store/csv.js';
import { type Command, type CommandContext, EXIT_OK, UsageError, needPositionals, writeLine } from '../command.js';
import { withReadOnlyTable } from '../util/open.js';

const USAGE = 'sdnwal dump <dir> <table> [--format ndjson|json|sdn|csv] [--json]';
const FORMATS = ['ndjson', 'json', 'sdn', 'csv'] as const;
type Format = (typeof FORMATS)[number];

function formatOf(v: unknown, json: boolean): Format {
  const f = v === undefined ? 'ndjson' : String(v);
  if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`Expected \`--format\` to be ndjson, json, sdn or csv, got \`${f}\``);
  // --json (which every reporting command takes) asks for JSON: ndjson and json already are;
  // SDN or CSV output cannot also be JSON, and silently picking one would surprise a script.
  if (json && f !== 'ndjson' && f !== 'json') {
    throw new UsageError(`--json cannot be combined with --format ${f}: dump prints JSON with --format json or ndjson (the default)`);
  }
  return f as Format;
}

/** The declared columns, else every key in first-seen order: one column list for SDN and CSV. */
function columnsOf(rows: Record<string, unknown>[], declared: readonly string[] | null): string[] {
  const columns = new Set(declared ?? []);
  if (!declared) for (const r of rows) for (const k of Object.keys(r)) columns.add(k);
  return [...columns];
}

/**
 * Every row with the same columns in the same order (absent values as null), so the SDN writer
 * prints one named table `name |a, b|` rather than a list of dicts.
 */
function asTable(rows: Record<string, unknown>[], columns: readonly string[]): SdnValue[] {
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, (r[c] ?? null) as SdnValue])));
}

/** RFC 4180: a header record, then one record a row, each ending in CRLF; nothing without columns. */
function writeCsv(out: Writable, rows: Record<string, unknown>[], columns: readonly string[]): void {
  if (columns.length === 0) return;
  out.write(csvHeader(columns) + CSV_EOL);
  for (const r of rows) out.write(toCsv(r, columns) + CSV_EOL);
}

async function run(ctx: CommandContext): Promise<number> {
  const [dir, name] = needPositionals(ctx, 2, 2, USAGE) as [string, string];
  const format = formatOf(ctx.values.format, ctx.values.json === true);
  const { rows, columns } = await withReadOnlyTable(dir, name, async (t) => ({ rows: await t.all(), columns: t.columns }), (line) => writeLine(ctx.io.stderr, line));
  const out = ctx.io.stdout;
  if (format === 'ndjson') for (const r of rows) writeLine(out, JSON.stringify(r));
  else if (format === 'json') writeLine(out, JSON.stringify(rows, null, 2));
  else if (format === 'csv') writeCsv(out, rows, columnsOf(rows, columns));
  // An SDN document with the rows as a named table under the table's name (as in the snapshot).
  else out.write(stringify({ [name]: asTable(rows, columnsOf(rows, columns)) }));
  return EXIT_OK;
}

export const dumpCommand: Command = {
  name: 'dump',
  summary: 'print every row of a table',
  usage: USAGE,
  help: `Prints every row (snapshot plus log), in key insertion order:
  --format ndjson   one JSON object a line (default)
  --format json     one JSON array
  --format sdn      an SDN document: the rows as a named table under the table's name
  --format csv      RFC 4180 CSV: a header of the columns, then one record a row, CRLF line
                    ends; quotes only where needed; null as an empty field, "" as ""; arrays
                    and objects as their JSON text; -0 as -0
  --json            accepted as elsewhere: with ndjson or json it changes nothing; with sdn or
                    csv it is a usage error (exit 2)
Creates and locks nothing.`,
  options: { format: { type: 'string' }, json: { type: 'boolean' } },
  run,
};
