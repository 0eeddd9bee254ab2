/** `sdnwal dump`: every row of a table as NDJSON (default), a JSON array, or an SDN document. */
import { stringify } from '../../sdn/index.js';
import type { SdnValue } from '../../sdn/values.js';
import { type Command, type CommandContext, EXIT_OK, UsageError, needPositionals, writeLine } from '../command.js';
import { withReadOnlyTable } from '../util/open.js';

const USAGE = 'sdnwal dump <dir> <table> [--format sdn|json|ndjson]';
const FORMATS = ['ndjson', 'json', 'sdn'] as const;
type Format = (typeof FORMATS)[number];

function formatOf(v: unknown): Format {
  const f = v === undefined ? 'ndjson' : String(v);
  if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`Expected \`--format\` to be sdn, json or ndjson, got \`${f}\``);
  return f as Format;
}

/**
 * Every row with the same columns in the same order (absent values as null), so the SDN writer
 * prints one named table `name |a, b|` rather than a list of dicts.
 */
function asTable(rows: Record<string, unknown>[], declared: readonly string[] | null): SdnValue[] {
  const columns = new Set(declared ?? []);
  if (!declared) for (const r of rows) for (const k of Object.keys(r)) columns.add(k);
  return rows.map((r) => Object.fromEntries([...columns].map((c) => [c, (r[c] ?? null) as SdnValue])));
}

async function run(ctx: CommandContext): Promise<number> {
  const [dir, name] = needPositionals(ctx, 2, 2, USAGE) as [string, string];
  const format = formatOf(ctx.values.format);
  const { rows, columns } = await withReadOnlyTable(dir, name, async (t) => ({ rows: await t.all(), columns: t.columns }));
  const out = ctx.io.stdout;
  if (format === 'ndjson') for (const r of rows) writeLine(out, JSON.stringify(r));
  else if (format === 'json') writeLine(out, JSON.stringify(rows, null, 2));
  // An SDN document with the rows as a named table under the table's name (as in the snapshot).
  else out.write(stringify({ [name]: asTable(rows, columns) }));
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
Creates and locks nothing.`,
  options: { format: { type: 'string' } },
  run,
};
