/** The concrete syntax tree parseDocument keeps: where each entry, item, row and value sits in the text. */
import type { SdnValue } from './values.js';

export type CstNode = CstMap | CstSeq | CstTable | CstScalar;

/** A dict block (or the document, or a `[section]`): entries in file order, repeats included. */
export interface CstMap {
  kind: 'map';
  /** Column of the keys (for a map that starts after `- `, the column after the dash). */
  indent: number;
  entries: CstEntry[];
  section?: boolean;
}

/** One `key...` entry: [start, end) covers its lines, from the line start to after its last LF. */
export interface CstEntry {
  key: string;
  start: number;
  end: number;
  /** False for the first key of a `- key: v` item, which shares its line with the dash. */
  atLineStart: boolean;
  /** This occurrence's own value (a repeated key's values are collected only in the JS view). */
  value: SdnValue;
  node: CstNode;
}

/** A list block: `- item` lines (dash) or plain value lines. */
export interface CstSeq {
  kind: 'seq';
  indent: number;
  dash: boolean;
  items: CstItem[];
}

export interface CstItem {
  start: number;
  end: number;
  value: SdnValue;
  node: CstNode;
}

/** A named (`columns` set) or typed (`columns` null) table in block form, or a one-line named table. */
export interface CstTable {
  kind: 'table';
  columns: string[] | null;
  types: string[] | null;
  headerIndent: number;
  /** Indent of the rows, or -1 when there are none yet. */
  rowIndent: number;
  /** Offset just after the header line (where a first row goes). */
  headerEnd: number;
  rows: { start: number; end: number }[];
  /** `name |a, b| 1, 2`: the single row shares the header line. */
  short: boolean;
}

/**
 * A value written on its entry's or item's line(s): `value` spans [start, end) of its text
 * (quoted, bare, inline collection, one-line typed table); `empty` is `key:` with nothing under
 * it (null); `text` is a `|` block scalar.
 */
export interface CstScalar {
  kind: 'scalar';
  form: 'value' | 'empty' | 'text';
  start: number;
  end: number;
}
