/** What a line starts with: a `- ` list item, or a dict entry (`key: `, `key =`, `key |`). Used to pick a block's kind. */
import { COLON, CR, EQUALS, LF, MINUS, PIPE, QUOTE, SPACE, TAB, endsBareKey } from './lexer.js';

/** `-` followed by whitespace or the line end. */
export function isDashItem(t: string, p: number): boolean {
  if (t.charCodeAt(p) !== MINUS) return false;
  const n = p + 1 < t.length ? t.charCodeAt(p + 1) : -1;
  return n === SPACE || n === TAB || n === LF || n === CR || n === -1;
}

/**
 * Does the text at p start a dict entry: a key then `: ` (or `:` at the line end), `=` or `|`?
 * The space after `:` is required here so that `http://x` in a list block stays a value.
 */
export function looksLikeEntry(t: string, p: number): boolean {
  const len = t.length;
  const c = t.charCodeAt(p);
  if (c === QUOTE) {
    p++;
    while (p < len) {
      const d = t.charCodeAt(p);
      if (d === QUOTE || d === LF) break;
      p += d === 92 ? 2 : 1;
    }
    if (t.charCodeAt(p) !== QUOTE) return false;
    p++;
  } else {
    if (endsBareKey(c) || isDashItem(t, p)) return false;
    while (p < len && !endsBareKey(t.charCodeAt(p))) p++;
  }
  while (p < len && (t.charCodeAt(p) === SPACE || t.charCodeAt(p) === TAB)) p++;
  const d = t.charCodeAt(p);
  if (d === EQUALS || d === PIPE) return true;
  if (d !== COLON) return false;
  const e = p + 1 < len ? t.charCodeAt(p + 1) : -1;
  return e === SPACE || e === TAB || e === LF || e === CR || e === -1;
}
