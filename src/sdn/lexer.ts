/** Character-level SDN scanning: a cursor over the text, quoted strings, bare runs, keys and line ends. */
import { SdnParseError } from '../errors.js';
import { typeBare, type SdnScalar } from './values.js';

/**
 * What the portable check (portable.ts) is told while a text is parsed: every name, every escape
 * Simple's parser would not decode, every bare word that stays a string. `mark`/`reset` drop what
 * was told while trying a reading that is then given up.
 */
export interface PortableSink {
  name(at: number, name: string, quoted: boolean): void;
  escape(at: number, sequence: string): void;
  word(at: number, word: string): void;
  mark(): number;
  reset(mark: number): void;
}

// Character codes, named once so the scanners read as grammar.
export const TAB = 9;
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const QUOTE = 34;
export const HASH = 35;
export const LPAREN = 40;
export const RPAREN = 41;
export const COMMA = 44;
export const MINUS = 45;
export const COLON = 58;
export const EQUALS = 61;
export const LBRACKET = 91;
export const BACKSLASH = 92;
export const RBRACKET = 93;
export const LBRACE = 123;
export const PIPE = 124;
export const RBRACE = 125;

/** Where a bare (unquoted) run stops, besides the end of the line and a ` #` comment. */
export type Stop = 0 | 1 | 2;
/** `key: value` and list lines: the value runs to the end of the line. */
export const STOP_LINE: Stop = 0;
/** Table cells: the cell runs to the next comma. */
export const STOP_CELL: Stop = 1;
/** Inside `[ ]`, `{ }`, `( )`: a comma or any closing bracket ends the item. */
export const STOP_INLINE: Stop = 2;

/** True for characters that end a bare key (`key:`, `key =`, `key |a|`, `{key: v}`). */
export function endsBareKey(c: number): boolean {
  return (
    c === SPACE || c === TAB || c === CR || c === LF || c === COLON || c === EQUALS || c === PIPE ||
    c === COMMA || c === QUOTE || c === HASH || c === LBRACKET || c === RBRACKET || c === LBRACE ||
    c === RBRACE || c === LPAREN || c === RPAREN
  );
}

/** A cursor over one SDN text. `pos` is the only mutable state; errors are positioned at offsets. */
export class Lexer {
  readonly text: string;
  readonly len: number;
  pos = 0;
  /**
   * When set (parseDocument's CST mode), the offset of the `#` of every comment the scanners
   * skip, so a formatter can put comments back; null otherwise, costing one check per comment.
   */
  comments: Set<number> | null = null;
  /** When set (the portable check), told of names, escapes and words as they are read; null otherwise. */
  portable: PortableSink | null = null;

  constructor(text: string) {
    this.text = text;
    this.len = text.length;
  }

  fail(reason: string, offset: number = this.pos): never {
    throw new SdnParseError(reason, this.text, Math.min(offset, this.len));
  }

  /** Character code at pos, or -1 at the end of the text. */
  peek(): number {
    return this.pos < this.len ? this.text.charCodeAt(this.pos) : -1;
  }

  skipSpaces(): void {
    const t = this.text;
    let p = this.pos;
    while (p < this.len) {
      const c = t.charCodeAt(p);
      if (c !== SPACE && c !== TAB) break;
      p++;
    }
    this.pos = p;
  }

  /** True at CR/LF/end, or at a `#` that follows whitespace (a trailing comment). */
  atLineEnd(): boolean {
    const p = this.pos;
    if (p >= this.len) return true;
    const c = this.text.charCodeAt(p);
    if (c === LF || c === CR) return true;
    if (c === HASH) {
      const b = p > 0 ? this.text.charCodeAt(p - 1) : LF;
      return b === SPACE || b === TAB || b === LF;
    }
    return false;
  }

  /**
   * Finish a line: only spaces and an optional ` #` comment may remain. Consumes the LF.
   * A lone CR is accepted only right before LF or at the end (CRLF files).
   */
  endLine(): void {
    this.skipSpaces();
    const t = this.text;
    let p = this.pos;
    if (p < this.len) {
      const c = t.charCodeAt(p);
      if (c === HASH && this.atLineEnd()) {
        this.comments?.add(p);
        const nl = t.indexOf('\n', p);
        p = nl < 0 ? this.len : nl;
      } else if (c === CR && (p + 1 === this.len || t.charCodeAt(p + 1) === LF)) {
        p++;
      } else if (c !== LF) {
        this.fail('unexpected characters after value', p);
      }
    }
    this.pos = p < this.len ? p + 1 : this.len;
  }

  /** A quoted string at pos (which holds `"`); pos ends after the closing quote. */
  readQuoted(): string {
    const t = this.text;
    const open = this.pos;
    let i = open + 1;
    // Fast path: no escapes, so the value is one slice of the source.
    for (;;) {
      if (i >= this.len) this.fail('unclosed string', open);
      const c = t.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return t.slice(open + 1, i);
      }
      if (c === BACKSLASH) break;
      if (c === LF) this.fail('unclosed string', open);
      i++;
    }
    let out = t.slice(open + 1, i);
    let from = i;
    for (;;) {
      if (i >= this.len) this.fail('unclosed string', open);
      const c = t.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === LF) this.fail('unclosed string', open);
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      out += t.slice(from, i);
      const e = i + 1 < this.len ? t.charCodeAt(i + 1) : -1;
      i += 2;
      // Simple's parser decodes only \" \\ \n \t \r; it keeps any other escape as its text.
      if (this.portable !== null && e !== QUOTE && e !== BACKSLASH && e !== 110 && e !== 116 && e !== 114) {
        this.portable.escape(i - 2, t.slice(i - 2, e === 117 ? i + 4 : i));
      }
      switch (e) {
        case QUOTE: out += '"'; break;
        case BACKSLASH: out += '\\'; break;
        case 47: out += '/'; break;
        case 39: out += "'"; break;
        case 110: out += '\n'; break;
        case 116: out += '\t'; break;
        case 114: out += '\r'; break;
        case 98: out += '\b'; break;
        case 102: out += '\f'; break;
        case 48: out += '\0'; break;
        case 117: {
          const hex = t.slice(i, i + 4);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('bad \\u escape: expected 4 hex digits', i - 2);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          this.fail('unknown escape sequence in string', i - 2);
      }
      from = i;
    }
    this.pos = i + 1;
    return out + t.slice(from, i);
  }

  /**
   * A bare run from pos, trimmed of trailing whitespace. It stops at the end of the line, at a
   * `#` that follows whitespace (a comment), and per `stop` at a comma or a closing bracket.
   * pos ends at the stop character (the comment, CR/LF, comma or bracket).
   */
  readBare(stop: Stop): string {
    const t = this.text;
    const start = this.pos;
    let p = start;
    let end = start;
    for (; p < this.len; p++) {
      const c = t.charCodeAt(p);
      if (c === LF) break;
      if (c === SPACE || c === TAB || c === CR) continue;
      if (c === HASH && p > start && end < p) break;
      if (stop !== STOP_LINE && c === COMMA) break;
      if (stop === STOP_INLINE && (c === RBRACKET || c === RBRACE || c === RPAREN)) break;
      end = p + 1;
    }
    this.pos = p;
    return t.slice(start, end);
  }

  /** A key at pos: a quoted string, or a bare run of key characters. Empty bare keys fail. */
  readKey(what = 'a key'): string {
    const start = this.pos;
    if (this.peek() === QUOTE) {
      const key = this.readQuoted();
      this.portable?.name(start, key, true);
      return key;
    }
    const t = this.text;
    let p = start;
    while (p < this.len && !endsBareKey(t.charCodeAt(p))) p++;
    if (p === start) this.fail(`expected ${what}`, start);
    this.pos = p;
    const key = t.slice(start, p);
    this.portable?.name(start, key, false);
    return key;
  }

  /** A bare word read at `at`, typed (typeBare); the portable check hears of the words that stay strings. */
  typed(word: string, at: number): SdnScalar {
    const v = typeBare(word);
    if (this.portable !== null && typeof v === 'string') this.portable.word(at, word);
    return v;
  }
}

/** Index just past the line holding `offset` (after its LF), or the text length. */
export function lineEndAfter(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}
