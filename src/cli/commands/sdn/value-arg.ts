/** The `<value>` argument of `sdn set`: an SDN inline value (`42`, `true`, `"text"`, `[1, 2]`, `{a: 1}`) or, with --json, JSON. */
import { SdnParseError } from '../../../errors.js';
import { parse, type SdnValue } from '../../../sdn/index.js';
import { EXIT_FAILURE, UserError } from '../../command.js';
import { parseJsonExact } from './json-in.js';

const KEY = 'v';
const PREFIX = `${KEY} = `;

/**
 * Reads `text` the way the right-hand side of `key = <text>` reads in a file, so the command line
 * and the file agree on what `007`, `2.1.0` or `Alice Chen` mean. Anything beyond one value
 * (a second line with another key) is refused rather than silently dropped.
 */
export function parseValueArg(text: string, json: boolean): SdnValue {
  if (json) return parseJsonExact(text, 'the value') as SdnValue;
  if (text.trim() === '') throw new UserError('the value is empty; write "" for an empty string');
  // One line only: a second line could hold another entry, which would be dropped or merged.
  // A newline inside a string is written as the escape \n; JSON (--json) may span lines.
  if (/[\r\n]/.test(text)) throw new UserError('the value must be on one line (write a line break in a string as \\n, or use --json)');
  let doc;
  try {
    doc = parse(PREFIX + text);
  } catch (e) {
    if (!(e instanceof SdnParseError)) throw e;
    // Positions are given within the value itself, without the `v = ` the parser saw.
    throw new UserError(`invalid value ${JSON.stringify(text)}: ${e.reason} at column ${Math.max(1, e.column - PREFIX.length)}`, EXIT_FAILURE, 'INVALID_VALUE');
  }
  const keys = Object.keys(doc);
  if (keys.length !== 1 || keys[0] !== KEY) {
    throw new UserError(`invalid value ${JSON.stringify(text)}: expected one value`, EXIT_FAILURE, 'INVALID_VALUE');
  }
  return doc[KEY];
}
