/** fast-check arbitraries for the portable profile's property tests (test/sdn, test/snapshot). */
import fc from 'fast-check';
import { NAME_KEYWORDS } from '../../src/sdn/names.js';

export const portableName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./-]{0,8}$/).filter((n) => !NAME_KEYWORDS.has(n) && n !== '__proto__');

/** Strings with what trips readers up: every control character, quotes, backslashes, commas, keywords. */
export const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
  fc.constantFrom('', 'true', 'nil', 'table', '007', '1e5', 'a, b', '# x', '"', '\\', '\\u0001', 'ctrl\u0001char', 'esc\u001b[0m', '\u0008\u000c', '\u007f', '\r\n', '😀'),
);

export const scalar = fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
export const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(portableName, tie('value'), { maxKeys: 4 })),
}));

/** Table names a store takes (letters, digits, `_`, `-`) that are portable too. */
export const tableName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,10}$/).filter((n) => !NAME_KEYWORDS.has(n));
