/** Which cells of a row line the writer marked absent (`nil`): splitting a line of the writer profile at its top-level commas. */
import { ABSENT_CELL } from './constants.js';

/**
 * Indices of the cells that are exactly the bare word `nil`. The line is one the writer wrote:
 * cells are quoted strings (with `\` escapes), bare words, or inline collections (`[ ]`, `{ }`)
 * whose commas are nested; no comments.
 */
export function absentCells(line: string): number[] {
  const out: number[] = [];
  let cell = 0;
  let start = 0;
  let depth = 0;
  let quoted = false;
  const end = (i: number): void => {
    if (line.slice(start, i).trim() === ABSENT_CELL) out.push(cell);
    cell++;
    start = i + 1;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (quoted) {
      if (c === 92) i++; // `\x`: skip the escaped character
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 91 || c === 123 || c === 40) depth++;
    else if (c === 93 || c === 125 || c === 41) depth--;
    else if (c === 44 && depth === 0) end(i);
  }
  end(line.length);
  return out;
}
