/** Inline SDN values: `[a, b]`, `{k: v}`, `(a, b)` (newlines inside are whitespace), line values and `k="v", ...` pairs. */
import { lineColumn } from '../errors.js';
import {
  CR, COLON, COMMA, EQUALS, HASH, LBRACE, LBRACKET, LF, LPAREN, Lexer, QUOTE, RBRACE, RBRACKET, RPAREN,
  SPACE, STOP_INLINE, STOP_LINE, TAB, endsBareKey,
} from './lexer.js';
import { MAX_DEPTH, TOO_DEEP } from './limits.js';
import { setKey, type SdnObject, type SdnValue } from './values.js';

/** Skips whitespace, newlines and `#` comments inside brackets. */
function skipInlineSpace(lx: Lexer): void {
  const t = lx.text;
  let p = lx.pos;
  while (p < lx.len) {
    const c = t.charCodeAt(p);
    if (c === SPACE || c === TAB || c === LF || c === CR) {
      p++;
    } else if (c === HASH) {
      const b = p > 0 ? t.charCodeAt(p - 1) : LF;
      if (b !== SPACE && b !== TAB && b !== LF && b !== CR) break;
      lx.comments?.add(p);
      const nl = t.indexOf('\n', p);
      p = nl < 0 ? lx.len : nl + 1;
    } else break;
  }
  lx.pos = p;
}

const NAMES: Record<number, string> = { [LBRACKET]: 'array', [LBRACE]: 'dict', [LPAREN]: 'tuple' };

/**
 * An inline collection at pos (`[`, `{` or `(`); pos ends after its closing bracket. `level` is
 * its nesting level in the document (see MAX_DEPTH; 1: the value of a top-level entry): deeper
 * than MAX_DEPTH is a parse error.
 */
export function readInline(lx: Lexer, level = 1): SdnValue {
  if (level > MAX_DEPTH) lx.fail(TOO_DEEP);
  const t = lx.text;
  const openAt = lx.pos;
  const open = t.charCodeAt(openAt);
  const close = open === LBRACKET ? RBRACKET : open === LBRACE ? RBRACE : RPAREN;
  const isDict = open === LBRACE;
  const arr: SdnValue[] = [];
  const obj: SdnObject = {};
  let repeated: Set<string> | null = null;
  lx.pos++;
  for (;;) {
    skipInlineSpace(lx);
    if (lx.pos >= lx.len) lx.fail(`unclosed ${NAMES[open]}`, openAt);
    if (t.charCodeAt(lx.pos) === close) break;
    let key = '';
    if (isDict) {
      key = lx.readKey();
      lx.skipSpaces();
      const c = lx.peek();
      if (c !== COLON && c !== EQUALS) lx.fail(`expected ':' or '=' after key "${key}"`);
      lx.pos++;
      skipInlineSpace(lx);
    }
    const value = readItem(lx, level);
    if (isDict) repeated = setKey(obj, key, value, repeated);
    else arr.push(value);
    skipInlineSpace(lx);
    if (lx.pos >= lx.len) lx.fail(`unclosed ${NAMES[open]}`, openAt);
    const c = t.charCodeAt(lx.pos);
    if (c === COMMA) {
      lx.pos++;
      continue;
    }
    if (c === close) break;
    const { line, column } = lineColumn(t, openAt);
    lx.fail(`expected ',' or '${String.fromCharCode(close)}' in the ${NAMES[open]} opened at line ${line}, column ${column}`);
  }
  lx.pos++;
  return isDict ? obj : arr;
}

/** One item inside brackets (the collection at `level`): quoted, nested, or a bare run up to `,` or a closing bracket. */
function readItem(lx: Lexer, level: number): SdnValue {
  const c = lx.peek();
  if (c === QUOTE) return lx.readQuoted();
  if (c === LBRACKET || c === LBRACE || c === LPAREN) return readInline(lx, level + 1);
  const start = lx.pos;
  const bare = lx.readBare(STOP_INLINE);
  if (bare.length === 0) lx.fail('expected a value', start);
  return lx.typed(bare, start);
}

/**
 * A value that fills the rest of a line (after `key:`, `key =`, `- `, or alone in a list block):
 * a quoted string, an inline collection, or bare text to the end of the line / ` #` comment.
 * pos ends where the line's tail starts; the caller checks it with `endLine()`.
 * With `pairs`, bare text shaped like `k="v", k2=3,` reads as a dict (see readPairs).
 * `level`: the nesting level the value has when it is a collection (see MAX_DEPTH; 1 at the top level).
 */
export function readLineValue(lx: Lexer, pairs: boolean, level = 1): SdnValue {
  const c = lx.peek();
  if (c === QUOTE) return lx.readQuoted();
  if (c === LBRACKET || c === LBRACE) return readInline(lx, level);
  if (pairs) {
    const start = lx.pos;
    const dict = readPairs(lx, level);
    if (dict !== undefined) {
      if (level > MAX_DEPTH) lx.fail(TOO_DEEP, start);
      return dict;
    }
  }
  const at = lx.pos;
  return lx.typed(lx.readBare(STOP_LINE), at);
}

/**
 * `hash="sha256:...", kind="data", time="17",` — name=value pairs separated by commas, as real
 * files write them on one line. Only taken when the whole line fits: at least one comma, every
 * value quoted, bracketed or a single bare word. Otherwise the line is plain text (undefined).
 */
function readPairs(lx: Lexer, level: number): SdnObject | undefined {
  const t = lx.text;
  const start = lx.pos;
  let p = start;
  while (p < lx.len && !endsBareKey(t.charCodeAt(p))) p++;
  if (p === start) return undefined;
  while (p < lx.len && (t.charCodeAt(p) === SPACE || t.charCodeAt(p) === TAB)) p++;
  if (t.charCodeAt(p) !== EQUALS) return undefined;
  const obj: SdnObject = {};
  let repeated: Set<string> | null = null;
  let commas = 0;
  // Comments (and portable notes) seen while trying are kept only if the line does read as pairs.
  const comments = lx.comments;
  if (comments) lx.comments = new Set();
  const mark = lx.portable?.mark() ?? 0;
  let read = false;
  try {
    for (;;) {
      lx.skipSpaces();
      if (lx.atLineEnd()) break;
      const key = lx.readKey();
      lx.skipSpaces();
      if (lx.peek() !== EQUALS) throw new Error('not pairs');
      lx.pos++;
      lx.skipSpaces();
      const c = lx.peek();
      let value: SdnValue;
      if (c === QUOTE) value = lx.readQuoted();
      else if (c === LBRACKET || c === LBRACE) value = readInline(lx, level + 1);
      else {
        const at = lx.pos;
        const word = lx.readBare(STOP_INLINE);
        if (word.length === 0 || /\s/.test(word)) throw new Error('not pairs');
        value = lx.typed(word, at);
      }
      repeated = setKey(obj, key, value, repeated);
      lx.skipSpaces();
      if (lx.peek() === COMMA) {
        lx.pos++;
        commas++;
        continue;
      }
      if (lx.atLineEnd()) break;
      throw new Error('not pairs');
    }
    read = commas > 0;
  } catch {
    lx.pos = start;
    lx.portable?.reset(mark);
    return undefined;
  } finally {
    const tried = lx.comments;
    lx.comments = comments;
    if (comments && tried && read) for (const c of tried) comments.add(c);
  }
  if (commas === 0) {
    lx.pos = start;
    lx.portable?.reset(mark);
    return undefined;
  }
  return obj;
}
