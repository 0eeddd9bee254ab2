/**
 * The parser's line level (parser.ts builds the blocks on top of it): where it is in the text,
 * moving from one content line to the next, the probes for a line's shape, and the values that
 * hold no nested block — a value on the rest of the line, a `|` text block, a table and its rows.
 */
import type { CstNode, CstScalar, CstTable } from './cst.js';
import { readInline, readLineValue } from './inline.js';
import { CR, EQUALS, HASH, LBRACKET, LF, Lexer, MINUS, RBRACKET, SPACE, TAB, endsBareKey, lineEndAfter } from './lexer.js';
import { MAX_DEPTH, TOO_DEEP } from './limits.js';
import { checkTyped, readColumns, readRow, readTypes } from './table.js';
import type { SdnValue } from './values.js';
import { readTextBlock } from './text-block.js';

export abstract class LineReader {
  readonly lx: Lexer;
  protected readonly cst: boolean;
  /** Offset just after the last consumed content line: where the current entry/item ends. */
  protected lastEnd = 0;
  /** The line found by nextLine(): its start, the offset of its first non-space character. */
  protected lineStart = 0;
  protected contentAt = 0;
  /** Indent of the last line that was parsed, to tell a bad dedent from an over-indent. */
  protected lastIndent = 0;
  /**
   * The nesting level (see MAX_DEPTH) of the dict or list whose entries or items are being read:
   * 0 for the document's root entries, 1 in a `[section]`; a collection value read here is one deeper.
   */
  protected level = 0;
  /** The CST node of the value just parsed (cst mode only). */
  protected node: CstNode = EMPTY;

  constructor(text: string, cst: boolean) {
    this.lx = new Lexer(text);
    this.cst = cst;
    if (cst) this.lx.comments = new Set();
    if (text.charCodeAt(0) === 0xfeff) this.lx.pos = 1; // a UTF-8 byte order mark is not content
  }

  /**
   * Moves to the next line that holds content (skipping blank and comment lines), leaving pos at
   * its start. Returns its indent, or -1 at the end of the text. A tab in indentation is an error.
   */
  protected nextLine(): number {
    const lx = this.lx;
    const t = lx.text;
    const len = lx.len;
    let p = lx.pos;
    while (p < len) {
      let i = p;
      while (i < len && t.charCodeAt(i) === SPACE) i++;
      const c = i < len ? t.charCodeAt(i) : -1;
      if (c === LF) {
        p = i + 1;
        continue;
      }
      if (c === -1) {
        p = len;
        break;
      }
      if (c === HASH || c === TAB || c === CR) {
        let j = i;
        while (j < len && (t.charCodeAt(j) === TAB || t.charCodeAt(j) === SPACE)) j++;
        const d = j < len ? t.charCodeAt(j) : -1;
        const blank = d === -1 || d === LF || d === HASH || (d === CR && (j + 1 === len || t.charCodeAt(j + 1) === LF));
        if (blank) {
          if (d === HASH) lx.comments?.add(j);
          p = lineEndAfter(t, j);
          continue;
        }
        if (c === TAB) lx.fail('tab in indentation', i);
      }
      lx.pos = p;
      this.lineStart = p;
      this.contentAt = i;
      return i - p;
    }
    lx.pos = p;
    return -1;
  }

  protected failIndent(ind: number): never {
    this.lx.fail(ind < this.lastIndent ? 'inconsistent dedent: no enclosing block has this indentation' : 'unexpected indentation', this.contentAt);
  }

  protected endLine(): void {
    this.lx.endLine();
    this.lastEnd = this.lx.pos;
  }

  /** One level deeper, for a dict or list block starting at `at`: a parse error beyond MAX_DEPTH. */
  protected enter(at: number): void {
    if (++this.level > MAX_DEPTH) this.lx.fail(TOO_DEEP, at);
  }

  /** `|`, `|-` or `|+` alone (comment allowed) after `key:` starts a text block. */
  protected isTextBlockHeader(): boolean {
    const lx = this.lx;
    const save = lx.pos;
    lx.pos++;
    const m = lx.peek();
    if (m === MINUS || m === 43) lx.pos++;
    lx.skipSpaces();
    const ok = lx.atLineEnd();
    lx.pos = save;
    return ok;
  }

  /** `[name]` alone on a root line (TOML-style section). */
  protected isSectionHeader(): boolean {
    const t = this.lx.text;
    let p = this.lx.pos + 1;
    const s = p;
    while (p < this.lx.len && !endsBareKey(t.charCodeAt(p))) p++;
    if (p === s || t.charCodeAt(p) !== RBRACKET) return false;
    const save = this.lx.pos;
    this.lx.pos = p + 1;
    this.lx.skipSpaces();
    const ok = this.lx.atLineEnd();
    this.lx.pos = save;
    return ok;
  }

  /** A value on the rest of the line; its CST node spans the value text without trailing blanks. */
  protected lineValue(pairs: boolean): SdnValue {
    const lx = this.lx;
    const start = lx.pos;
    const value = readLineValue(lx, pairs, this.level + 1);
    let end = lx.pos;
    while (end > start && isBlank(lx.text.charCodeAt(end - 1))) end--;
    this.endLine();
    if (this.cst) this.node = { kind: 'scalar', form: 'value', start, end };
    return value;
  }

  protected textBlock(indent: number): string {
    const lx = this.lx;
    const t = lx.text;
    lx.pos++;
    const m = t.charCodeAt(lx.pos);
    const chomp = m === MINUS ? 'strip' : m === 43 ? 'keep' : 'clip';
    if (chomp !== 'clip') lx.pos++;
    this.endLine();
    const start = this.lastEnd;
    const r = readTextBlock(lx, indent, chomp);
    if (r.end > start) this.lastEnd = r.end;
    lx.pos = this.lastEnd;
    if (this.cst) this.node = { kind: 'scalar', form: 'text', start, end: this.lastEnd };
    return r.value;
  }

  /** `key |a, b|` then rows indented under it, or one row on the same line. */
  protected namedTable(indent: number): SdnValue[] {
    const lx = this.lx;
    // The table is a list one level deeper than its entry's dict, its rows one deeper still.
    if (this.level + 1 > MAX_DEPTH) lx.fail(TOO_DEEP);
    const columns = readColumns(lx);
    lx.skipSpaces();
    if (!lx.atLineEnd()) {
      const rowAt = lx.pos;
      const row = readRow(lx, columns, columns.length, null, this.level + 2);
      this.endLine();
      if (this.cst) this.node = tableNode(columns, null, indent, this.lastEnd, [{ start: rowAt, end: this.lastEnd }], true);
      return [row];
    }
    this.endLine();
    return this.rows(indent, columns, columns.length, null);
  }

  /** `key: table{i32, f64}` then rows, or `= [(1, 2.0), ...]` on the same line. */
  protected typedTable(indent: number): SdnValue {
    const lx = this.lx;
    if (this.level + 1 > MAX_DEPTH) lx.fail(TOO_DEEP);
    lx.pos += 5; // `table`
    const types = readTypes(lx);
    lx.skipSpaces();
    if (lx.peek() === EQUALS) {
      lx.pos++;
      lx.skipSpaces();
      const at = lx.pos;
      if (lx.peek() !== LBRACKET) lx.fail("expected '[' with the rows of a typed table");
      const rows = readInline(lx, this.level + 1) as SdnValue[];
      for (const row of rows) {
        if (Array.isArray(row) && row.length === types.length) row.forEach((v, k) => checkTyped(lx, types[k], v, at));
        else lx.fail(`each row of a table{${types.join(', ')}} must be a tuple of ${types.length} values`, at);
      }
      let end = lx.pos;
      while (end > at && isBlank(lx.text.charCodeAt(end - 1))) end--;
      this.endLine();
      if (this.cst) this.node = { kind: 'scalar', form: 'value', start: at, end };
      return rows;
    }
    if (!lx.atLineEnd()) lx.fail("expected '=' or the end of the line after a table type");
    this.endLine();
    return this.rows(indent, null, types.length, types);
  }

  protected rows(headerIndent: number, columns: string[] | null, width: number, types: string[] | null): SdnValue[] {
    const lx = this.lx;
    const headerEnd = this.lastEnd;
    const rows: SdnValue[] = [];
    const spans: { start: number; end: number }[] = [];
    let rowIndent = -1;
    for (;;) {
      const ind = this.nextLine();
      if (ind <= headerIndent) break;
      if (rowIndent < 0) rowIndent = ind;
      else if (ind !== rowIndent) this.failIndent(ind);
      this.lastIndent = ind;
      const start = this.lineStart;
      lx.pos = this.contentAt;
      rows.push(readRow(lx, columns, width, types, this.level + 2));
      this.endLine();
      if (this.cst) spans.push({ start, end: this.lastEnd });
    }
    if (this.cst) {
      const node = tableNode(columns, types, headerIndent, headerEnd, spans, false);
      node.rowIndent = rowIndent;
      this.node = node;
    }
    return rows;
  }
}

const EMPTY: CstScalar = { kind: 'scalar', form: 'empty', start: 0, end: 0 };

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

function tableNode(columns: string[] | null, types: string[] | null, headerIndent: number, headerEnd: number,
  rows: { start: number; end: number }[], short: boolean): CstTable {
  return { kind: 'table', columns, types, headerIndent, rowIndent: -1, headerEnd, rows, short };
}
