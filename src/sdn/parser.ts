/** SDN block structure: indentation, dict/list/table blocks, `[section]`s and `|` text blocks, to JS values (and a CST on request). */
import type { CstEntry, CstItem, CstMap, CstNode, CstScalar, CstTable } from './cst.js';
import { readInline, readLineValue } from './inline.js';
import { COLON, CR, EQUALS, HASH, LBRACKET, LF, Lexer, MINUS, PIPE, type PortableSink, RBRACKET, SPACE, TAB, endsBareKey, lineEndAfter } from './lexer.js';
import { MAX_DEPTH, TOO_DEEP } from './limits.js';
import { checkTyped, readColumns, readRow, readTypes } from './table.js';
import { setKey, type SdnObject, type SdnValue } from './values.js';
import { isDashItem, looksLikeEntry } from './line-shape.js';
import { readTextBlock } from './text-block.js';

export interface ParseResult {
  value: SdnObject;
  cst: CstMap | null;
  /** With `cst`: the offset of every comment's `#`, ascending. */
  comments: number[];
}

/**
 * Parses a whole document; with `cst`, also records where every entry, item and row sits; with
 * `portable`, tells it what the portable check needs (portable.ts).
 */
export function parseText(text: string, cst: boolean, portable: PortableSink | null = null): ParseResult {
  const p = new Parser(text, cst);
  p.lx.portable = portable;
  return p.document();
}

class Parser {
  readonly lx: Lexer;
  private readonly cst: boolean;
  /** Offset just after the last consumed content line: where the current entry/item ends. */
  private lastEnd = 0;
  /** The line found by nextLine(): its start, the offset of its first non-space character. */
  private lineStart = 0;
  private contentAt = 0;
  /** Indent of the last line that was parsed, to tell a bad dedent from an over-indent. */
  private lastIndent = 0;
  /**
   * The nesting level (see MAX_DEPTH) of the dict or list whose entries or items are being read:
   * 0 for the document's root entries, 1 in a `[section]`; a collection value read here is one deeper.
   */
  private level = 0;
  /** The CST node of the value just parsed (cst mode only). */
  private node: CstNode = EMPTY;

  constructor(text: string, cst: boolean) {
    this.lx = new Lexer(text);
    this.cst = cst;
    if (cst) this.lx.comments = new Set();
    if (text.charCodeAt(0) === 0xfeff) this.lx.pos = 1; // a UTF-8 byte order mark is not content
  }

  document(): ParseResult {
    const lx = this.lx;
    const root: SdnObject = {};
    const rootNode: CstMap = { kind: 'map', indent: 0, entries: [] };
    let target = root;
    let targetNode = rootNode;
    let sectionEntry: CstEntry | null = null;
    let repeated: Set<string> | null = null;
    let rootRepeated: Set<string> | null = null;
    for (;;) {
      const ind = this.nextLine();
      if (ind < 0) break;
      if (ind > 0) this.failIndent(ind);
      this.lastIndent = 0;
      lx.pos = this.contentAt;
      const start = this.lineStart;
      if (lx.peek() === LBRACKET && this.isSectionHeader()) {
        lx.pos++;
        const name = lx.readKey('a section name');
        lx.pos++; // the `]` isSectionHeader saw
        lx.endLine();
        this.lastEnd = lx.pos;
        target = {};
        repeated = null;
        rootRepeated = setKey(root, name, target, rootRepeated);
        targetNode = { kind: 'map', indent: 0, entries: [], section: true };
        sectionEntry = { key: name, start, end: this.lastEnd, atLineStart: true, value: target, node: targetNode };
        if (this.cst) rootNode.entries.push(sectionEntry);
        continue;
      }
      this.level = target === root ? 0 : 1;
      const [key, value] = this.entry(0, start, true, targetNode.entries);
      if (target === root) rootRepeated = setKey(root, key, value, rootRepeated);
      else repeated = setKey(target, key, value, repeated);
      if (sectionEntry) sectionEntry.end = this.lastEnd;
    }
    const comments = this.lx.comments ? [...this.lx.comments].sort((a, b) => a - b) : [];
    return { value: root, cst: this.cst ? rootNode : null, comments };
  }

  /**
   * Moves to the next line that holds content (skipping blank and comment lines), leaving pos at
   * its start. Returns its indent, or -1 at the end of the text. A tab in indentation is an error.
   */
  private nextLine(): number {
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

  private failIndent(ind: number): never {
    this.lx.fail(ind < this.lastIndent ? 'inconsistent dedent: no enclosing block has this indentation' : 'unexpected indentation', this.contentAt);
  }

  /** `key: value`, `key = value`, `key:` + block, `key |cols|` + rows, `key: table{...}`, `key: |` text. */
  private entry(indent: number, lineStart: number, atLineStart: boolean, nodes: CstEntry[]): [string, SdnValue] {
    const lx = this.lx;
    const key = lx.readKey();
    lx.skipSpaces();
    const c = lx.peek();
    let value: SdnValue;
    if (c === COLON) {
      lx.pos++;
      lx.skipSpaces();
      if (lx.atLineEnd()) {
        this.endLine();
        value = this.blockOrNull(indent);
      } else if (lx.peek() === PIPE && this.isTextBlockHeader()) {
        value = this.textBlock(indent);
      } else if (lx.text.startsWith('table{', lx.pos)) {
        value = this.typedTable(indent);
      } else {
        value = this.lineValue(true);
      }
    } else if (c === EQUALS) {
      lx.pos++;
      lx.skipSpaces();
      if (lx.atLineEnd()) lx.fail(`expected a value after '=' for key "${key}"`);
      value = this.lineValue(false);
    } else if (c === PIPE) {
      value = this.namedTable(indent);
    } else {
      value = lx.fail(`expected ':', '=' or '|' after key "${key}"`);
    }
    if (this.cst) nodes.push({ key, start: lineStart, end: this.lastEnd, atLineStart, value, node: this.node });
    return [key, value];
  }

  private endLine(): void {
    this.lx.endLine();
    this.lastEnd = this.lx.pos;
  }

  /** A value on the rest of the line; its CST node spans the value text without trailing blanks. */
  private lineValue(pairs: boolean): SdnValue {
    const lx = this.lx;
    const start = lx.pos;
    const value = readLineValue(lx, pairs, this.level + 1);
    let end = lx.pos;
    while (end > start && isBlank(lx.text.charCodeAt(end - 1))) end--;
    this.endLine();
    if (this.cst) this.node = { kind: 'scalar', form: 'value', start, end };
    return value;
  }

  /** After `key:` and a line end: an indented block, or null when nothing deeper follows. */
  private blockOrNull(indent: number): SdnValue {
    const ind = this.nextLine();
    if (ind > indent) return this.block(ind);
    if (this.cst) this.node = { kind: 'scalar', form: 'empty', start: this.lastEnd, end: this.lastEnd };
    return null;
  }

  /** A block whose first line is the current one: `- ` items, dict entries, or plain list values. */
  private block(indent: number): SdnValue {
    this.enter(this.contentAt);
    this.lx.pos = this.contentAt;
    this.lastIndent = indent;
    let v: SdnValue;
    if (isDashItem(this.lx.text, this.lx.pos)) v = this.seq(indent, true);
    else if (looksLikeEntry(this.lx.text, this.lx.pos)) v = this.map(indent, this.lineStart, true);
    else v = this.plainList(indent);
    this.level--;
    return v;
  }

  /** One level deeper, for a dict or list block starting at `at`: a parse error beyond MAX_DEPTH. */
  private enter(at: number): void {
    if (++this.level > MAX_DEPTH) this.lx.fail(TOO_DEEP, at);
  }

  /** Dict entries at `indent`. The first is at pos (after `- ` when `!firstAtLineStart`). */
  private map(indent: number, firstStart: number, firstAtLineStart: boolean): SdnObject {
    const lx = this.lx;
    const obj: SdnObject = {};
    const node: CstMap = { kind: 'map', indent, entries: [] };
    let repeated: Set<string> | null = null;
    let start = firstStart;
    let atLineStart = firstAtLineStart;
    for (;;) {
      if (isDashItem(this.lx.text, lx.pos)) lx.fail('a "- " list item cannot appear among dict entries');
      const [key, value] = this.entry(indent, start, atLineStart, node.entries);
      repeated = setKey(obj, key, value, repeated);
      const ind = this.nextLine();
      if (ind < indent) break;
      if (ind > indent) this.failIndent(ind);
      this.lastIndent = indent;
      lx.pos = this.contentAt;
      start = this.lineStart;
      atLineStart = true;
    }
    if (this.cst) this.node = node;
    return obj;
  }

  /** `- item` lines at `indent`; an item may hold a value, a `key: v` dict, a nested list, or a block. */
  private seq(indent: number, dash: boolean): SdnValue[] {
    const lx = this.lx;
    const items: SdnValue[] = [];
    const nodes: CstItem[] = [];
    for (;;) {
      const start = this.lineStart;
      let value: SdnValue;
      if (!dash) {
        if (isDashItem(this.lx.text, lx.pos) || looksLikeEntry(this.lx.text, lx.pos)) lx.fail('expected a list value: a list block cannot mix values with "- " items or dict entries');
        value = this.lineValue(false);
      } else {
        if (!isDashItem(this.lx.text, lx.pos)) lx.fail('expected a "- " list item');
        lx.pos++;
        lx.skipSpaces();
        if (lx.atLineEnd()) {
          this.endLine();
          value = this.blockOrNull(indent);
        } else {
          const col = lx.pos - start;
          const nested = isDashItem(this.lx.text, lx.pos) || looksLikeEntry(this.lx.text, lx.pos);
          if (nested) {
            // `- - x` and `- key: v` start a list or dict one level deeper, at the item's column.
            this.enter(lx.pos);
            value = isDashItem(this.lx.text, lx.pos) ? this.seq(col, true) : this.map(col, start, false);
            this.level--;
          } else if (lx.peek() === PIPE && this.isTextBlockHeader()) value = this.textBlock(indent);
          else value = this.lineValue(false);
        }
      }
      items.push(value);
      if (this.cst) nodes.push({ start, end: this.lastEnd, value, node: this.node });
      const ind = this.nextLine();
      if (ind < indent) break;
      if (ind > indent) this.failIndent(ind);
      this.lastIndent = indent;
      lx.pos = this.contentAt;
    }
    if (this.cst) this.node = { kind: 'seq', indent, dash, items: nodes };
    return items;
  }

  private plainList(indent: number): SdnValue[] {
    return this.seq(indent, false);
  }

  /** `key |a, b|` then rows indented under it, or one row on the same line. */
  private namedTable(indent: number): SdnValue[] {
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
  private typedTable(indent: number): SdnValue {
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

  private rows(headerIndent: number, columns: string[] | null, width: number, types: string[] | null): SdnValue[] {
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

  private textBlock(indent: number): string {
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

  /** `|`, `|-` or `|+` alone (comment allowed) after `key:` starts a text block. */
  private isTextBlockHeader(): boolean {
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
  private isSectionHeader(): boolean {
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
}

const EMPTY: CstScalar = { kind: 'scalar', form: 'empty', start: 0, end: 0 };

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

function tableNode(columns: string[] | null, types: string[] | null, headerIndent: number, headerEnd: number,
  rows: { start: number; end: number }[], short: boolean): CstTable {
  return { kind: 'table', columns, types, headerIndent, rowIndent: -1, headerEnd, rows, short };
}
