/** `sdnwal sdn set <file> <path> <value>`: change one value in place, keeping comments and the rest of the text. */
import { parseDocument } from '../../../sdn/index.js';
import { type Command, EXIT_OK, UsageError, UserError, needPositionals } from '../../command.js';
import { readSource, STDIN } from './input.js';
import { parseValueArg } from './value-arg.js';
import { setInTableSnapshot, tableSnapshotMeta } from './snapshot-edit.js';
import { replaceFile } from './write-file.js';

const usage = 'sdnwal sdn set <file> <path> <value> [--json]';

export const setCommand: Command = {
  name: 'set',
  summary: 'set the value at a dotted path and rewrite the file atomically, keeping comments',
  usage,
  help: [
    'The value is read as the right-hand side of `key = value` in an SDN file: `42`, `true`, `null`,',
    '`"text"`, `[1, 2]`, `{a: 1}`; a bare word like `Alice Chen` or `2.1.0` is a string.',
    'The file is replaced atomically (temp file, fsync, rename); comments and untouched lines stay.',
    "On a store table's own snapshot (db/<table>.sdn) only cells can be set (<table>.<row>.<column>):",
    "the edit holds the table's compact.lock and is written by the snapshot writer, so its row",
    'count and rows CRC stay true.',
    '',
    'options:',
    '  --json   read the value as JSON instead',
    '',
    'example:',
    '  sdnwal sdn set config.sdn server.port 8080',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(ctx) {
    const [file, path, raw] = needPositionals(ctx, 3, 3, usage);
    if (path === '') throw new UsageError(`the path is empty; usage: ${usage}`);
    // There is no file to rewrite when the input is stdin.
    if (file === STDIN) throw new UsageError(`set needs a file, not '-'; usage: ${usage}`);
    const value = parseValueArg(raw, Boolean(ctx.values.json));
    const snapshot = tableSnapshotMeta(file);
    if (snapshot) {
      setInTableSnapshot(file, snapshot, path, value);
      return EXIT_OK;
    }
    const doc = parseDocument(await readSource(file, ctx.io.stdin));
    try {
      doc.set(path, value);
    } catch (e) {
      // The document reports a path it cannot follow (through a scalar, say) as a TypeError.
      if (e instanceof TypeError) throw new UserError(`cannot set ${JSON.stringify(path)} in ${file}: ${e.message}`);
      throw e;
    }
    replaceFile(file, doc.toString());
    return EXIT_OK;
  },
};
