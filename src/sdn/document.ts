/** An editable SDN document: get/set/delete/push by path, rewriting only the affected lines and keeping the rest byte for byte. */
import type { CstEntry, CstItem, CstMap, CstNode, CstSeq, CstTable } from './cst.js';
import { formatItem, rowLine } from './edit-lines.js';
import { parseText } from './parser.js';
import { formatInline, formatScalar, INDENT, stringify, writeEntries, writeEntry } from './stringify.js';
import { child, deleteIn, index, segments, setIn, type SdnPath } from './value-path.js';
import type { SdnObject, SdnValue } from './values.js';

/** A place in the text that can be rewritten as a unit: an entry, a list item, a table row. */
type Anchor =
  | { kind: 'entry'; entry: CstEntry; map: CstMap; value: SdnValue }
  | { kind: 'item'; item: CstItem; seq: CstSeq; value: SdnValue }
  | { kind: 'row'; table: CstTable; index: number; value: SdnValue };

export class SdnDocument {
  #text = '';
  #value: SdnObject = {};
  #root: CstMap = { kind: 'map', indent: 0, entries: [] };
  #eol = '\n';

  /** Parses `text`; throws SdnParseError like parse(). */
  constructor(text: string) {
    this.#load(text);
  }

  /** The document text: identical to the input when nothing was edited. */
  toString(): string {
    return this.#text;
  }

  /** The plain value, equal to parse(toString()). */
  toJS(): SdnObject {
    return structuredClone(this.#value);
  }

  /** The value at `path` (a copy), or undefined when there is none. */
  get(path: SdnPath): SdnValue | undefined {
    let v: SdnValue | undefined = this.#value;
    for (const seg of segments(path)) v = child(v, seg);
    return v === undefined ? undefined : structuredClone(v);
  }

  /** Sets the value at `path`, creating missing dict keys; rewrites only the lines involved. */
  set(path: SdnPath, value: unknown): void {
    const segs = segments(path);
    if (segs.length === 0) return this.#replace(0, this.#text.length, stringify(value));
    const { chain, node, rest } = this.#resolve(segs);
    const last = chain[chain.length - 1];
    if (rest.length === 0) return this.#rewrite(chain, chain.length - 1, toValue(value));
    if (node.kind === 'map') return this.#appendEntry(node, rest, toValue(value), last ? spanOf(last).end : this.#text.length);
    if (rest.length === 1 && (node.kind === 'seq' || node.kind === 'table') && Number(rest[0]) === countOf(node)) {
      return this.push(segs.slice(0, -1), value);
    }
    if (!last) throw new TypeError(`cannot set ${String(segs)}`);
    this.#rewrite(chain, chain.length - 1, setIn(last.value, rest, toValue(value)));
  }

  /** Removes the value at `path`; false when there was none. */
  delete(path: SdnPath): boolean {
    const segs = segments(path);
    if (segs.length === 0) throw new TypeError('cannot delete the document itself');
    if (this.get(segs) === undefined) return false;
    const { chain, rest } = this.#resolve(segs);
    const i = chain.length - 1;
    const a = chain[i];
    if (rest.length > 0) {
      this.#rewrite(chain, i, deleteIn(a.value, rest));
      return true;
    }
    const parent = segs.slice(0, -1);
    const siblings = a.kind === 'entry' ? a.map.entries.length : a.kind === 'item' ? a.seq.items.length : a.table.rows.length;
    const isRoot = a.kind === 'entry' && (a.map === this.#root || a.map.section === true);
    if (siblings === 1 && !isRoot && a.kind !== 'row') {
      // An empty block would read as null: write the parent as an empty collection instead.
      this.set(parent, a.kind === 'entry' ? {} : []);
    } else if (this.#isClean(a)) {
      this.#replace(spanOf(a).start, spanOf(a).end, '');
    } else {
      this.#rewrite(chain, i - 1, deleteIn(chain[i - 1].value, [lastSeg(a, segs)]));
    }
    return true;
  }

  /** Appends to the array at `path` (a list, a table, an inline array); a missing/null value becomes [value]. */
  push(path: SdnPath, value: unknown): void {
    const segs = segments(path);
    const v = toValue(value);
    const current = this.get(segs);
    if (current === undefined || current === null) return this.set(segs, [v]);
    if (!Array.isArray(current)) throw new TypeError(`cannot push to ${segs.join('.')}: not an array`);
    const { chain, node, rest } = this.#resolve(segs);
    if (rest.length === 0 && node.kind === 'seq' && node.items.length > 0) {
      const at = node.items[node.items.length - 1].end;
      return this.#insert(at, formatItem(node, v));
    }
    if (rest.length === 0 && node.kind === 'table' && !node.short) {
      const at = node.rows.length ? node.rows[node.rows.length - 1].end : node.headerEnd;
      const indent = node.rowIndent >= 0 ? node.rowIndent : node.headerIndent + INDENT.length;
      return this.#insert(at, rowLine(node, v, indent));
    }
    const a = chain[chain.length - 1];
    const appended = [...current, v];
    this.#rewrite(chain, chain.length - 1, rest.length ? setIn(a.value, rest, appended) : appended);
  }

  #load(text: string): void {
    const r = parseText(text, true);
    this.#text = text;
    this.#value = r.value;
    this.#root = r.cst as CstMap;
    this.#eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  #replace(start: number, end: number, insert: string): void {
    if (this.#eol !== '\n') insert = insert.replace(/\r?\n/g, this.#eol);
    this.#load(this.#text.slice(0, start) + insert + this.#text.slice(end));
  }

  /** Inserts whole lines at `at`, starting a new line first when `at` is mid-line (no final newline). */
  #insert(at: number, lines: string): void {
    const t = this.#text;
    this.#replace(at, at, at > 0 && t.charCodeAt(at - 1) !== 10 ? '\n' + lines : lines);
  }

  /** Walks the CST as far as the path names entries, items and rows. */
  #resolve(segs: string[]): { chain: Anchor[]; node: CstNode; rest: string[] } {
    const chain: Anchor[] = [];
    let node: CstNode = this.#root;
    let i = 0;
    while (i < segs.length) {
      const seg = segs[i];
      if (node.kind === 'map') {
        const found: CstEntry[] = node.entries.filter((e) => e.key === seg);
        if (found.length === 0) break;
        let entry: CstEntry = found[0];
        if (found.length > 1) {
          const k = index(segs[i + 1]);
          if (k === undefined || k >= found.length) {
            throw new TypeError(`key "${seg}" occurs ${found.length} times; name one occurrence as ${seg}.<0..${found.length - 1}>`);
          }
          entry = found[k];
          i++;
        }
        chain.push({ kind: 'entry', entry, map: node, value: entry.value });
        node = entry.node;
      } else if (node.kind === 'seq') {
        const k = index(seg);
        if (k === undefined || k >= node.items.length) break;
        chain.push({ kind: 'item', item: node.items[k], seq: node, value: node.items[k].value });
        node = node.items[k].node;
      } else if (node.kind === 'table') {
        const k = index(seg);
        if (k === undefined || k >= node.rows.length) break;
        const rows = chain[chain.length - 1].value as SdnValue[];
        chain.push({ kind: 'row', table: node, index: k, value: rows[k] });
        i++;
        break;
      } else break;
      i++;
    }
    return { chain, node, rest: segs.slice(i) };
  }

  /** Can this anchor's lines be cut or replaced on their own (it starts its own line)? */
  #isClean(a: Anchor): boolean {
    if (a.kind === 'entry') return a.entry.atLineStart;
    if (a.kind === 'row') return !a.table.short;
    const t = this.#text;
    const s = a.item.start;
    if (!a.seq.dash) return /^ *$/.test(t.slice(s, s + a.seq.indent));
    return /^ *- /.test(t.slice(s, s + a.seq.indent + 2) + ' ') && t.slice(s, s + a.seq.indent).trim() === '';
  }

  /** Writes `value` in place of chain[i], as narrowly as possible; falls back to the parent. */
  #rewrite(chain: Anchor[], i: number, value: SdnValue): void {
    if (i < 0) return this.#replace(0, this.#text.length, stringify(value));
    const a = chain[i];
    const node = a.kind === 'entry' ? a.entry.node : a.kind === 'item' ? a.item.node : null;
    if (node && node.kind === 'scalar' && node.form === 'value') {
      const scalar = value === null || typeof value !== 'object';
      const shortForm = /=\s*$/.test(this.#text.slice(this.#lineStart(node.start), node.start));
      if (scalar || shortForm) return this.#replace(node.start, node.end, scalar ? formatScalar(value) : formatInline(value));
    }
    if (!this.#isClean(a)) {
      const parent = chain[i - 1];
      const key = a.kind === 'entry' ? a.entry.key : a.kind === 'item' ? a.seq.items.indexOf(a.item) : a.index;
      return this.#rewrite(chain, i - 1, setIn(parent.value, [String(key)], value));
    }
    const { start, end } = spanOf(a);
    const nl = end > 0 && this.#text.charCodeAt(end - 1) === 10 ? '' : '\n';
    let text: string;
    if (a.kind === 'entry' && a.entry.node.kind === 'map' && a.entry.node.section) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`section [${a.entry.key}] must stay a dict`);
      text = `[${a.entry.key}]\n` + writeEntries(value, '', new Set());
    } else if (a.kind === 'entry') text = writeEntry(a.entry.key, value, ' '.repeat(a.map.indent));
    else if (a.kind === 'item') text = formatItem(a.seq, value);
    else text = rowLine(a.table, value, a.table.rowIndent);
    this.#replace(start, end, nl === '' ? text : text.slice(0, -1));
  }

  /** Adds `rest[0]` (with `rest[1..]` nested under it) as a new entry at the end of `map`. */
  #appendEntry(map: CstMap, rest: string[], value: SdnValue, emptyAt: number): void {
    const nested = rest.slice(1).reduceRight<SdnValue>((v, k) => ({ [k]: v }), value);
    const text = writeEntry(rest[0], nested, ' '.repeat(map.indent));
    let at: number;
    if (map === this.#root) {
      // Root keys go before the first `[section]`, or they would land inside it.
      const firstSection = map.entries.find((e) => e.node.kind === 'map' && e.node.section === true);
      at = firstSection ? firstSection.start : this.#text.length;
    } else {
      at = map.entries.length ? map.entries[map.entries.length - 1].end : emptyAt;
    }
    this.#insert(at, text);
  }

  #lineStart(offset: number): number {
    return this.#text.lastIndexOf('\n', offset - 1) + 1;
  }
}

/** parseDocument(text): an editable document; throws SdnParseError like parse(). */
export function parseDocument(text: string): SdnDocument {
  return new SdnDocument(text);
}

function countOf(node: CstSeq | CstTable): number {
  return node.kind === 'seq' ? node.items.length : node.rows.length;
}

function spanOf(a: Anchor): { start: number; end: number } {
  return a.kind === 'entry' ? a.entry : a.kind === 'item' ? a.item : a.table.rows[a.index];
}

function lastSeg(a: Anchor, segs: string[]): string {
  return a.kind === 'entry' ? a.entry.key : segs[segs.length - 1];
}

/** Round-trips a caller's value through the writer's rules (toJSON, undefined) and checks it is writable. */
function toValue(value: unknown): SdnValue {
  const text = stringify({ v: value });
  return (parseText(text, false).value.v ?? null) as SdnValue;
}
