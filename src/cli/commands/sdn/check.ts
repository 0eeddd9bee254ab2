/** `sdnwal sdn check <file|->`: does the file parse? Exit 0, or the parse error and exit 1. */
import { SdnParseError } from '../../../errors.js';
import { parse } from '../../../sdn/index.js';
import { type Command, EXIT_FAILURE, EXIT_OK, needPositionals, writeJson } from '../../command.js';
import { readSource } from './input.js';

const usage = 'sdnwal sdn check <file|-> [--json]';

export const checkCommand: Command = {
  name: 'check',
  summary: 'parse a file; exit 0 if it reads, else print the error and exit 1',
  usage,
  help: [
    'Prints nothing when the file reads. A parse error goes to stderr as',
    '`error: <message> at line L, column C` with the source line and a caret.',
    '',
    'options:',
    '  --json   print {"file","ok":true} or {"file","ok":false,"code","line","column","message"} on stdout',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(ctx) {
    const [file] = needPositionals(ctx, 1, 1, usage);
    const text = await readSource(file, ctx.io.stdin);
    try {
      parse(text);
    } catch (e) {
      // Without --json the CLI's error reporter prints the message and the caret excerpt.
      if (!(e instanceof SdnParseError) || !ctx.values.json) throw e;
      writeJson(ctx.io.stdout, { file, ok: false, code: e.code, line: e.line, column: e.column, message: e.message });
      return EXIT_FAILURE;
    }
    if (ctx.values.json) writeJson(ctx.io.stdout, { file, ok: true });
    return EXIT_OK;
  },
};
