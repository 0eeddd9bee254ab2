/** `sdnwal sdn from-json <file|->`: read JSON, print it as SDN in the writer profile. */
import { stringify, type SdnValue } from '../../../sdn/index.js';
import { type Command, EXIT_OK, UserError, needPositionals } from '../../command.js';
import { readSource } from './input.js';
import { parseJsonExact } from './json-in.js';

const usage = 'sdnwal sdn from-json <file|->';

export const fromJsonCommand: Command = {
  name: 'from-json',
  summary: 'read JSON and print it as SDN',
  usage,
  help: [
    'The inverse of to-json where one exists: an array of flat objects with the same keys is',
    'written as a named table. Output is the writer profile (4-space indent, every string quoted).',
    'Integers beyond ±(2^53-1) are kept as their text (a quoted string), never rounded.',
  ].join('\n'),
  async run(ctx) {
    const [file] = needPositionals(ctx, 1, 1, usage);
    const value = parseJsonExact(await readSource(file, ctx.io.stdin), file === '-' ? 'stdin' : file);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
      throw new UserError(`the JSON must be an object (an SDN document is a dict of keys), got ${what}; wrap it, e.g. {"items": [...]}`);
    }
    ctx.io.stdout.write(stringify(value as SdnValue));
    return EXIT_OK;
  },
};
