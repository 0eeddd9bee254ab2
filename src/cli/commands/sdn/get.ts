/** `sdnwal sdn get <file|-> <path>`: print the value at a dotted path (`a.b.0.c`). */
import { parseDocument, stringify, type SdnValue } from '../../../sdn/index.js';
import { type Command, EXIT_OK, NotFoundError, UsageError, needPositionals, writeLine } from '../../command.js';
import { readSource } from './input.js';
import { toJsonText } from './json-out.js';

const usage = 'sdnwal sdn get <file|-> <path> [--json]';

export const getCommand: Command = {
  name: 'get',
  summary: 'print the value at a dotted path (a.b.0.c)',
  usage,
  help: [
    'A scalar prints as plain text (a string without quotes; null as `null`); a dict or list prints',
    'as SDN. A path that does not exist is an error (exit 1).',
    '',
    'options:',
    '  --json   print the value as one line of JSON',
    '',
    'example:',
    '  sdnwal sdn get todo_db.sdn todos.0.title',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(ctx) {
    const [file, path] = needPositionals(ctx, 2, 2, usage);
    if (path === '') throw new UsageError(`the path is empty; usage: ${usage}`);
    const doc = parseDocument(await readSource(file, ctx.io.stdin));
    const value = doc.get(path);
    if (value === undefined) throw new NotFoundError(`no value at path ${JSON.stringify(path)} in ${file}`);
    writeLine(ctx.io.stdout, ctx.values.json ? toJsonText(value, 0) : showValue(value, path));
    return EXIT_OK;
  },
};

/**
 * Text for a value: scalars bare, so shell scripts can use them as they are; a dict as the SDN
 * of its entries; a list under its own key (the last path segment), because an SDN document
 * is a dict and a list needs a name to be written as one (a named table, or `key: [...]`).
 */
export function showValue(value: SdnValue, path: string): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) {
    const name = path.slice(path.lastIndexOf('.') + 1);
    return stringify({ [name]: value });
  }
  return stringify(value);
}
