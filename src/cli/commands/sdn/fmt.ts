/** `sdnwal sdn fmt <file|->`: rewrite a file in the writer profile, or with --check only report whether it is. */
import { isDeepStrictEqual } from 'node:util';
import { SdnwalError } from '../../../errors.js';
import { formatKeepingComments } from '../../../sdn/format.js';
import { parse } from '../../../sdn/index.js';
import { type Command, EXIT_FAILURE, EXIT_OK, needPositionals, writeJson, writeLine } from '../../command.js';
import { readSource, STDIN } from './input.js';
import { tableSnapshotMeta } from './snapshot-edit.js';
import { replaceFile } from './write-file.js';

const usage = 'sdnwal sdn fmt <file|-> [--check] [--json]';

export const fmtCommand: Command = {
  name: 'fmt',
  summary: 'rewrite a file in the writer profile (--check: only report)',
  usage,
  help: [
    'The writer profile: LF and a final newline, 4-space indent, every string quoted, floats with',
    'a `.`. A file is replaced atomically; `-` reads stdin and prints the result.',
    'Comments are kept: an own-line comment stays above the line it preceded (re-indented), a',
    'trailing one after its line; a comment inside a value the writer puts on one line moves above it.',
    "A store table's own snapshot (db/<table>.sdn) is left as the snapshot writer wrote it.",
    '',
    'options:',
    '  --check   change nothing; exit 1 and name the file if it is not formatted',
    '  --json    with --check, print {"file","formatted":true|false}',
  ].join('\n'),
  options: { check: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx) {
    const [file] = needPositionals(ctx, 1, 1, usage);
    // A store table's snapshot is written in its own fixed layout (meta, rows, rows CRC) by the
    // snapshot writer; reformatting it would break that layout, so it counts as formatted.
    if (file !== STDIN && tableSnapshotMeta(file)) {
      if (ctx.values.check && ctx.values.json) writeJson(ctx.io.stdout, { file, formatted: true });
      else if (!ctx.values.check) writeLine(ctx.io.stderr, `${file} is a table snapshot, kept in the snapshot layout; nothing to do`);
      return EXIT_OK;
    }
    const text = await readSource(file, ctx.io.stdin);
    const formatted = format(text);
    if (ctx.values.check) {
      const ok = formatted === text;
      if (ctx.values.json) writeJson(ctx.io.stdout, { file, formatted: ok });
      else if (!ok) writeLine(ctx.io.stderr, `not formatted: ${file}`);
      return ok ? EXIT_OK : EXIT_FAILURE;
    }
    if (file === STDIN) ctx.io.stdout.write(formatted);
    else if (formatted !== text) replaceFile(file, formatted);
    return EXIT_OK;
  },
};

/**
 * The writer-profile text of `text`, comments kept. The output is parsed back and compared before
 * anything is written: a rewrite that would change the value (or drop a comment, checked by
 * formatKeepingComments) is refused, so fmt can never lose data.
 */
export function format(text: string): string {
  const value = parse(text);
  const out = formatKeepingComments(text);
  if (!isDeepStrictEqual(parse(out), value)) {
    throw new SdnwalError('SDN_STRINGIFY', 'fmt refused: the formatted text would not read back as the same value; the file is unchanged');
  }
  return out;
}
