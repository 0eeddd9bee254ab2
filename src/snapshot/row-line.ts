/** Reading back one row line the snapshot writer formatted (for a row a compaction must update). */
import { parseText } from '../sdn/parser.js';
import { absentCells } from './cells.js';
import { formatRowsHeader } from './format.js';

/** The row of `line` (with its LF) written with header `columns`: `nil` cells (absent) are left out, as the loader does. */
export function parseRowLine(line: string, columns: readonly string[]): Record<string, unknown> {
  const rows = parseText(formatRowsHeader('r', columns) + line, false).value['r'] as Record<string, unknown>[];
  const row = rows[0]!;
  for (const k of absentCells(line.endsWith('\n') ? line.slice(0, -1) : line)) delete row[columns[k]!];
  return row;
}
