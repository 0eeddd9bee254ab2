/** Reading JSON for `from-json` and `set --json`: exact numbers, and errors with line and column. */
import { caretExcerpt, lineColumn } from '../../../errors.js';
import { EXIT_FAILURE, UserError } from '../../command.js';

/**
 * Parses JSON (RFC 8259) like JSON.parse, with two differences. A number JSON.parse would change —
 * an integer outside ±(2^53-1), or a float that overflows to Infinity — is kept as its source text
 * (a string), the SDN parser's rule for the same numbers, so `from-json` never rounds silently.
 * Invalid JSON is a UserError naming `name`, the line and column, with a caret excerpt (V8's
 * messages have no position for many errors and quote the whole input).
 */
export function parseJsonExact(text: string, name: string): unknown {
  const r = new JsonReader(text, name);
  r.space();
  const v = r.value(0);
  r.space();
  if (r.pos < text.length) r.fail('unexpected text after the JSON value');
  return v;
}

/** Deeper nesting is refused with an error instead of overflowing the stack. */
const MAX_DEPTH = 1000;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class JsonReader {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly name: string,
  ) {}

  fail(reason: string, at = this.pos): never {
    const { line, column } = lineColumn(this.text, at);
    throw new UserError(`invalid JSON in ${this.name}: ${reason} at line ${line}, column ${column}\n${caretExcerpt(this.text, at)}`, EXIT_FAILURE, 'JSON_PARSE');
  }

  space(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
      this.pos++;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const t = this.text;
    if (this.pos >= t.length) this.fail('unexpected end of input, expected a value');
    const c = t[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (t.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(`unexpected ${describe(c)}, expected a value`);
  }

  private object(depth: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    this.pos++;
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') this.fail(`unexpected ${this.here()}, expected a "quoted" key`);
      const key = this.string();
      this.space();
      if (this.text[this.pos] !== ':') this.fail(`unexpected ${this.here()}, expected ':'`);
      this.pos++;
      this.space();
      // defineProperty, so a `__proto__` key is an own member as with JSON.parse.
      Object.defineProperty(obj, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.space();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return obj;
      if (c !== ',') this.fail(`unexpected ${describe(c)}, expected ',' or '}'`, this.pos - 1);
    }
  }

  private array(depth: number): unknown[] {
    const arr: unknown[] = [];
    this.pos++;
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return arr;
    }
    for (;;) {
      this.space();
      arr.push(this.value(depth + 1));
      this.space();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return arr;
      if (c !== ',') this.fail(`unexpected ${describe(c)}, expected ',' or ']'`, this.pos - 1);
    }
  }

  private string(): string {
    const t = this.text;
    const open = this.pos++;
    let out = '';
    let from = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('unclosed string', open);
      const c = t.charCodeAt(this.pos);
      if (c === 34) break;
      if (c < 0x20) this.fail('control character in a string (write it as an escape)');
      if (c !== 92) {
        this.pos++;
        continue;
      }
      out += t.slice(from, this.pos);
      const e = t[this.pos + 1];
      if (e === 'u') {
        const hex = t.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape: expected 4 hex digits');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        this.pos += 2;
      } else this.fail(`bad escape \\${e ?? ''}`);
      from = this.pos;
    }
    out += t.slice(from, this.pos);
    this.pos++;
    return out;
  }

  private number(): number | string {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return this.fail('bad number');
    const tok = m[0];
    this.pos += tok.length;
    const v = Number(tok);
    if (!Number.isFinite(v)) return tok;
    if (!/[.eE]/.test(tok) && !Number.isSafeInteger(v)) return tok;
    return v;
  }

  private here(): string {
    return describe(this.text[this.pos]);
  }
}

function describe(c: string | undefined): string {
  if (c === undefined) return 'end of input';
  if (c === '\n') return 'line end';
  return `'${c}'`;
}
