/** `sdnwal get`: one row by key, as `column: value` lines or (--json) a JSON object. */
import { type Command, type CommandContext, EXIT_OK, NotFoundError, needPositionals, writeJson, writeLine } from '../command.js';
import { withReadOnlyTable } from '../util/open.js';

const USAGE = 'sdnwal get <dir> <table> <key> [--json]';

/** Strings as they are; everything else as JSON, so `1` and `"1"` stay distinguishable. */
function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

async function run(ctx: CommandContext): Promise<number> {
  const [dir, name, key] = needPositionals(ctx, 3, 3, USAGE) as [string, string, string];
  const row = await withReadOnlyTable(dir, name, (t) => t.get(key), (line) => writeLine(ctx.io.stderr, line));
  if (row === undefined) throw new NotFoundError(`no row with key ${JSON.stringify(key)} in table ${name}`);
  if (ctx.values.json) writeJson(ctx.io.stdout, row);
  else for (const [col, v] of Object.entries(row)) writeLine(ctx.io.stdout, `${col}: ${show(v)}`);
  return EXIT_OK;
}

export const getCommand: Command = {
  name: 'get',
  summary: 'print one row by key',
  usage: USAGE,
  help: `Prints the row as \`column: value\` lines (strings as they are, other values as JSON),
or with --json as one JSON object. A missing key exits 1. Reads the snapshot plus the log;
creates and locks nothing.`,
  options: { json: { type: 'boolean' } },
  run,
};
