/** `sdnwal count`: the number of rows in a table. */
import { type Command, type CommandContext, EXIT_OK, needPositionals, writeJson, writeLine } from '../command.js';
import { withReadOnlyTable } from '../util/open.js';

const USAGE = 'sdnwal count <dir> <table> [--json]';

async function run(ctx: CommandContext): Promise<number> {
  const [dir, name] = needPositionals(ctx, 2, 2, USAGE) as [string, string];
  const count = await withReadOnlyTable(dir, name, (t) => t.count(), (line) => writeLine(ctx.io.stderr, line));
  if (ctx.values.json) writeJson(ctx.io.stdout, { table: name, count });
  else writeLine(ctx.io.stdout, String(count));
  return EXIT_OK;
}

export const countCommand: Command = {
  name: 'count',
  summary: 'print the number of rows in a table',
  usage: USAGE,
  help: 'Prints the number of rows (snapshot plus log); --json prints {"table","count"}. Creates and locks nothing.',
  options: { json: { type: 'boolean' } },
  run,
};
