/**
 * SDN block structure: indentation, dict/list blocks and `[section]`s, to JS values (and a CST on
 * request). The values that hold no nested block (tables, `|` text blocks, one-line values) and the
 * moving from line to line are line-reader.ts.
 */
import type { CstEntry, CstItem, CstMap } from './cst.js';
import { COLON, EQUALS, LBRACKET, PIPE, type PortableSink } from './lexer.js';
import { LineReader } from './line-reader.js';
import { setKey, type SdnObject, type SdnValue } from './values.js';
import { isDashItem, looksLikeEntry } from './line-shape.js';

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

class Parser extends LineReader {
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
}
