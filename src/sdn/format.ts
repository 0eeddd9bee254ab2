/**
 * `sdn fmt`'s formatter: the writer profile (stringify) for the values, with every comment kept
 * where it was. It walks the editable document's CST (parseDocument's parse, which also records
 * each comment's offset) and writes each entry, list item and table row with the writer's own
 * functions; comments are put back between and after those lines.
 */
import { SdnwalError } from '../errors.js';
import type { CstEntry, CstMap } from './cst.js';
import { lineEndAfter } from './lexer.js';
import { parseText } from './parser.js';
import { formatInline, formatKey, INDENT, stringify, writeEntries, writeEntry } from './stringify.js';
import type { SdnValue } from './values.js';

/** Spaces between a value and its trailing comment. */
const BEFORE_COMMENT = '  ';

/**
 * `text` in the writer profile with its comments. Without comments this is stringify(parse(text)).
 * With them, the layout is the writer's, except that a list of scalars with comments between
 * or after its items is written one item a line (so each keeps its comment), and a repeated
 * key keeps its occurrences (each in its place with its comments) instead of one collected array.
 * Placement: an own-line comment stays above the line it preceded, re-indented to that line
 * (or to the block it closed), with one blank line above it if it had one; a trailing comment
 * stays after its line; comments inside a value
 * the writer puts on one line (a multi-line `[..]`, a list item's block) move above that line.
 * The result is checked: it must parse to the same value and hold the same comments in the same
 * order, or it is refused (SDN_STRINGIFY) and nothing is written.
 */
export function formatKeepingComments(text: string): string {
  const parsed = parseText(text, true);
  const out = parsed.comments.length === 0 ? stringify(parsed.value) : new Formatter(text, parsed.comments).document(parsed.cst as CstMap);
  const again = parseText(out, true);
  const texts = (t: string, at: number[]) => at.map((c) => commentAt(t, c));
  if (JSON.stringify(texts(out, again.comments)) !== JSON.stringify(texts(text, parsed.comments))) {
    throw new SdnwalError('SDN_STRINGIFY', 'fmt refused: the formatted text would not keep every comment in order; the file is unchanged');
  }
  return out;
}

/** The comment whose `#` is at `at`, to the end of its line, without trailing blanks. */
function commentAt(text: string, at: number): string {
  const nl = text.indexOf('\n', at);
  return text.slice(at, nl < 0 ? text.length : nl).trimEnd();
}

class Formatter {
  readonly #lines: string[] = [];
  /** Index in #comments of the first comment not written yet (comments are written in order). */
  #next = 0;
  /** Just after the line of the last comment written. */
  #writtenTo = 0;

  constructor(
    private readonly text: string,
    /** Offsets of the comments' `#`, ascending. */
    private readonly comments: number[],
  ) {}

  document(root: CstMap): string {
    for (const e of root.entries) this.#entry(e, '', 1);
    this.#flushBefore(Infinity, '');
    return this.#lines.length ? this.#lines.join('\n') + '\n' : '';
  }

  /** One entry (and its block), shaped as writeEntry shapes it. `level`: its value's nesting level. */
  #entry(e: CstEntry, indent: string, level: number): void {
    this.#flushBefore(e.start, indent);
    const v = e.value;
    const head = indent + formatKey(e.key);
    const inner = indent + INDENT;
    if (isDict(v) && Object.keys(v).length > 0) {
      if (e.node.kind === 'map') {
        // A dict block (or a [section], which the writer writes as `name:` + block): recurse, so
        // the comments between its entries stay between them.
        this.#header(head + ':', e.start);
        for (const child of e.node.entries) this.#entry(child, inner, level + 1);
        // A [section] runs to the next one, so only an indented comment below it is its own;
        // one at column 0 goes with what follows.
        this.#closeBlock(e.end, e.node.section ? 1 : e.node.indent, inner);
      } else {
        this.#line(head + ':', e.start, e.end, indent);
        this.#lines.push(...lines(writeEntries(v, inner, new Set(), level)));
      }
      return;
    }
    const spans = e.node.kind === 'seq' ? e.node.items : e.node.kind === 'table' ? e.node.rows : null;
    if (Array.isArray(v) && v.length > 0 && spans?.length === v.length) {
      const written = lines(writeEntry(e.key, v, indent, new Set(), level));
      // `key = [1, 2]` has no line per item to hang comments on: with comments among the items,
      // write the other-arrays shape (`key:` + one value a line), which reads back the same.
      const itemLines = written.length === v.length + 1 ? written.slice(1)
        : this.#commentsAfterFirstLine(e.start, e.end) ? v.map((x) => inner + formatInline(x)) : null;
      if (itemLines) {
        this.#header(written.length === v.length + 1 ? written[0]! : head + ':', e.start);
        spans.forEach((s, i) => {
          this.#flushBefore(s.start, inner);
          this.#line(itemLines[i]!, s.start, s.end, inner);
        });
        const n = e.node;
        const column = n.kind === 'seq' ? n.indent : n.kind === 'table' && n.rowIndent >= 0 ? n.rowIndent : indent.length + 1;
        this.#closeBlock(e.end, column, inner);
        return;
      }
    }
    // Everything else is one line in the writer, or a block the source has no lines for.
    const written = lines(writeEntry(e.key, v, indent, new Set(), level));
    this.#line(written[0]!, e.start, e.end, indent);
    this.#lines.push(...written.slice(1));
  }

  /** A block's first line: a comment on the source's header line stays after it. */
  #header(line: string, start: number): void {
    const taken = this.#take(lineEndAfter(this.text, start));
    this.#lines.push(taken.length === 1 ? line + BEFORE_COMMENT + this.#comment(taken[0]!) : line);
  }

  /**
   * A line written for the source [start, end): a lone comment on the source's first line stays
   * after it; any other comments in the span (a value the writer joins onto one line) go above it.
   */
  #line(line: string, start: number, end: number, indent: string): void {
    const taken = this.#take(end);
    if (taken.length === 1 && taken[0]! < lineEndAfter(this.text, start)) {
      this.#lines.push(line + BEFORE_COMMENT + this.#comment(taken[0]!));
      return;
    }
    for (const c of taken) this.#lines.push(indent + this.#comment(c));
    this.#lines.push(line);
  }

  /**
   * Comments left before `pos`, each on its own line at `indent`. The writer writes no blank
   * lines, but one that set a comment apart from what came before is kept: it groups the text.
   */
  #flushBefore(pos: number, indent: string): void {
    for (const c of this.#take(pos)) {
      if (this.#lines.length > 0 && this.#lines[this.#lines.length - 1] !== '' && this.#blankLineAbove(c)) this.#lines.push('');
      this.#lines.push(indent + this.#comment(c));
    }
  }

  #blankLineAbove(at: number): boolean {
    const lineStart = this.text.lastIndexOf('\n', at - 1) + 1;
    if (lineStart === 0) return false;
    const above = this.text.lastIndexOf('\n', lineStart - 2) + 1;
    return this.text.slice(above, lineStart).trim() === '';
  }

  /**
   * After a block: the own-line comments right below its last line that are indented at least as
   * deep as its lines were (`column`) belong to it, so they stay inside it, at `indent`.
   */
  #closeBlock(end: number, column: number, indent: string): void {
    const t = this.text;
    while (this.#next < this.comments.length) {
      const c = this.comments[this.#next]!;
      const lineStart = t.lastIndexOf('\n', c - 1) + 1;
      const from = Math.max(end, this.#writtenTo);
      if (from > lineStart || t.slice(from, lineStart).trim() !== '' || t.slice(lineStart, c).trim() !== '' || c - lineStart < column) return;
      this.#flushBefore(c + 1, indent);
    }
  }

  /** True when a comment in [start, end) sits below the first line. */
  #commentsAfterFirstLine(start: number, end: number): boolean {
    const firstLineEnd = lineEndAfter(this.text, start);
    for (let i = this.#next; i < this.comments.length && this.comments[i]! < end; i++) if (this.comments[i]! >= firstLineEnd) return true;
    return false;
  }

  /** The comments not written yet that start before `pos`, marked written. */
  #take(pos: number): number[] {
    const taken: number[] = [];
    while (this.#next < this.comments.length && this.comments[this.#next]! < pos) taken.push(this.comments[this.#next++]!);
    if (taken.length) this.#writtenTo = lineEndAfter(this.text, taken[taken.length - 1]!);
    return taken;
  }

  #comment(at: number): string {
    return commentAt(this.text, at);
  }
}

function isDict(v: SdnValue): v is Record<string, SdnValue> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The lines of writer output (which always ends with a newline). */
function lines(written: string): string[] {
  return written.slice(0, -1).split('\n');
}
