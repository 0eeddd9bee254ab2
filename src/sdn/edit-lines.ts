/** The lines an edit writes for a list item or a table row, in the form and at the indent of the list or table it joins. */
import type { CstSeq, CstTable } from './cst.js';
import { formatInline, formatScalar, formatTableRow, writeEntries } from './stringify.js';
import type { SdnObject, SdnValue } from './values.js';

/** One list item (with its block) at the list's indent, ending with a newline. */
export function formatItem(seq: CstSeq, value: SdnValue): string {
  const pad = ' '.repeat(seq.indent);
  if (!seq.dash) return pad + formatInline(value) + '\n';
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    const body = writeEntries(value, pad + '  ', new Set());
    return pad + '- ' + body.slice(seq.indent + 2);
  }
  return pad + '- ' + (value !== null && typeof value === 'object' ? formatInline(value) : formatScalar(value)) + '\n';
}

/** A table row line for `value` (a dict with exactly the columns, or an array for a typed table). */
export function rowLine(table: CstTable, value: SdnValue, indent: number): string {
  let cells: SdnValue[];
  if (table.columns) {
    const cols = table.columns;
    const ok = value !== null && typeof value === 'object' && !Array.isArray(value) &&
      Object.keys(value).length === cols.length && cols.every((c) => Object.prototype.hasOwnProperty.call(value, c));
    if (!ok) throw new TypeError(`a row of this table must be a dict with exactly the columns ${cols.join(', ')}`);
    cells = cols.map((c) => (value as SdnObject)[c]);
  } else {
    if (!Array.isArray(value) || value.length !== (table.types as string[]).length) {
      throw new TypeError(`a row of this typed table must be an array of ${(table.types as string[]).length} values`);
    }
    cells = value;
  }
  return formatTableRow(cells, ' '.repeat(indent)) + '\n';
}
