/** `sdnwal sdn to-json <file|->`: the file's value as JSON (named tables as arrays of objects, typed tables as arrays of arrays). */
import { parse } from '../../../sdn/index.js';
import { type Command, EXIT_OK, needPositionals, writeLine } from '../../command.js';
import { readSource } from './input.js';
import { toJsonText } from './json-out.js';

const usage = 'sdnwal sdn to-json <file|-> [--compact] [--json]';

export const toJsonCommand: Command = {
  name: 'to-json',
  summary: 'print the value of an SDN file as JSON',
  usage,
  help: [
    'Prints 2-space indented JSON. A named table becomes an array of objects, a typed table an',
    'array of arrays. Integers beyond ±(2^53-1) are kept as their text, never rounded.',
    '',
    'options:',
    '  --compact   one line',
    '  --json      the output is JSON already and stays the same (no wrapper: the value itself);',
    '              accepted like on every reporting command, so a failure also prints',
    '              {"error":{"code","message","exitCode",...}} on stdout',
  ].join('\n'),
  // --json changes nothing here: main.ts reports a failure as JSON for every command given it.
  options: { compact: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx) {
    const [file] = needPositionals(ctx, 1, 1, usage);
    const value = parse(await readSource(file, ctx.io.stdin));
    writeLine(ctx.io.stdout, toJsonText(value, ctx.values.compact ? 0 : 2));
    return EXIT_OK;
  },
};
