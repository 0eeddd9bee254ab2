/**
 * The portable check (docs/sdn.md, "Portable output"): where an SDN text would be read differently
 * by the Simple language's own SDN parser than by sdnwal's — quoted names, keyword names, names
 * outside the bare word, escapes Simple keeps as text, integers beyond 64 bits.
 */
import type { PortableSink } from './lexer.js';
import { NAME_KEYWORDS, PORTABLE_NAME } from './names.js';
import { parseText } from './parser.js';

export type PortableRule = 'quoted-name' | 'keyword-name' | 'name' | 'escape' | 'big-int';

export interface PortableFinding {
  /** 1-based line and column of the name, escape or integer. */
  line: number;
  column: number;
  offset: number;
  rule: PortableRule;
  message: string;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
/** An integer literal as the SDN number grammar has it (`_` between digits); leading zeros are no number. */
const INTEGER = /^-?(?:0|[1-9](?:_?[0-9])*)$/;

type Note = { at: number; rule: PortableRule; message: string };

class Notes implements PortableSink {
  readonly list: Note[] = [];

  name(at: number, name: string, quoted: boolean): void {
    const shown = JSON.stringify(name);
    if (quoted) {
      this.list.push({ at, rule: 'quoted-name', message: `quoted name ${shown}: Simple's parser takes only bare names and refuses the file` + (PORTABLE_NAME.test(name) && !NAME_KEYWORDS.has(name) ? ` (write it bare: ${name})` : '') });
    } else if (NAME_KEYWORDS.has(name)) {
      this.list.push({ at, rule: 'keyword-name', message: `name ${shown} is a keyword of Simple's parser (${[...NAME_KEYWORDS].join(', ')}), which drops or refuses it` });
    } else if (!PORTABLE_NAME.test(name)) {
      this.list.push({ at, rule: 'name', message: `name ${shown} is not a bare name to Simple's parser: a letter or '_', then letters, digits, '_', '.', '-', '/'` });
    }
  }

  escape(at: number, sequence: string): void {
    this.list.push({ at, rule: 'escape', message: `escape ${sequence}: Simple's parser decodes only \\n \\t \\r \\\\ \\" and keeps the text ${sequence}; write the character itself` });
  }

  word(at: number, word: string): void {
    if (!INTEGER.test(word)) return;
    const n = BigInt(word.replaceAll('_', ''));
    if (n >= I64_MIN && n <= I64_MAX) return;
    this.list.push({ at, rule: 'big-int', message: `integer ${word} is outside the signed 64-bit range: Simple's parser reads 0; quote it to keep it as text` });
  }

  mark(): number {
    return this.list.length;
  }

  reset(mark: number): void {
    this.list.length = mark;
  }
}

/**
 * Every place in `text` that Simple's SDN parser would read differently from sdnwal's (or refuse),
 * in text order; [] when it reads the same. Throws SdnParseError when sdnwal cannot read `text`.
 */
export function checkPortable(text: string): PortableFinding[] {
  const notes = new Notes();
  parseText(text, false, notes);
  const sorted = notes.list.sort((a, b) => a.at - b.at);
  // One pass over the text for every finding's line and column (they are in text order).
  let line = 1;
  let lineStart = 0;
  let p = 0;
  return sorted.map(({ at, rule, message }) => {
    for (; p < at; p++) {
      if (text.charCodeAt(p) === 10) {
        line++;
        lineStart = p + 1;
      }
    }
    return { line, column: at - lineStart + 1, offset: at, rule, message };
  });
}
