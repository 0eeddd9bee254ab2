/** `key: |` text blocks (YAML literal style, as real SDN files write long prose): lines kept verbatim. */
import { CR, LF, Lexer, SPACE, TAB, lineEndAfter } from './lexer.js';

export type Chomp = 'clip' | 'strip' | 'keep';

/**
 * Reads the lines of a text block starting at pos (the line after `key: |`). The block's
 * indentation is that of its first non-blank line, which must be deeper than `parentIndent`;
 * the block ends at the first non-blank line indented `parentIndent` or less. Everything inside,
 * `#` included, is text. `clip` ends the value with one newline, `strip` with none, `keep` keeps
 * trailing blank lines. `end` is the offset after the last line that belongs to the block.
 */
export function readTextBlock(lx: Lexer, parentIndent: number, chomp: Chomp): { value: string; end: number } {
  const t = lx.text;
  const len = lx.len;
  let p = lx.pos;
  let blockIndent = -1;
  const lines: string[] = [];
  let kept = 0; // lines up to the last non-blank one
  let end = lx.pos;
  let keepEnd = lx.pos;
  while (p < len) {
    let i = p;
    while (i < len && t.charCodeAt(i) === SPACE) i++;
    const next = lineEndAfter(t, p);
    let contentEnd = next;
    if (contentEnd > p && t.charCodeAt(contentEnd - 1) === LF) contentEnd--;
    if (contentEnd > p && t.charCodeAt(contentEnd - 1) === CR) contentEnd--;
    const ind = i - p;
    if (i >= contentEnd) {
      // A blank line: part of the text only if more content follows (or with `keep`).
      if (blockIndent >= 0) lines.push(t.slice(Math.min(p + blockIndent, contentEnd), contentEnd));
      keepEnd = next;
      p = next;
      continue;
    }
    if (blockIndent < 0) {
      if (ind <= parentIndent) break;
      if (t.charCodeAt(i) === TAB) lx.fail('tab in indentation', i);
      blockIndent = ind;
    } else if (ind < blockIndent) {
      if (ind > parentIndent) lx.fail('inconsistent indentation in text block', i);
      if (t.charCodeAt(i) === TAB) lx.fail('tab in indentation', i);
      break;
    }
    lines.push(t.slice(p + blockIndent, contentEnd));
    kept = lines.length;
    end = next;
    keepEnd = next;
    p = next;
  }
  if (kept === 0) return { value: '', end: lx.pos };
  const body = lines.slice(0, kept).join('\n');
  if (chomp === 'strip') return { value: body, end };
  if (chomp === 'clip') return { value: body + '\n', end };
  return { value: body + '\n' + '\n'.repeat(lines.length - kept), end: keepEnd };
}
