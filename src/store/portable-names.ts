/**
 * The portable name rule (docs/sdn.md, "Portable output") for a table being created: its name,
 * key and declared columns, so the Simple language's own SDN parser reads its snapshot. Only a new
 * table is checked: one created before the rule keeps opening, reading and writing as it was.
 */
import { SdnwalError } from '../errors.js';
import { nameProblem } from '../sdn/names.js';
import { InvalidTableNameError } from '../wal/paths.js';
import type { TableOptions } from './options.js';

const OPT_OUT = 'or create the table with portableNames: false (its snapshot is then not for Simple\'s SDN parser)';

/** Throws INVALID_TABLE_NAME or INVALID_OPTION unless every name fits, or `o.portableNames` is false. */
export function checkNewTableNames(name: string, o: Pick<TableOptions, 'key' | 'columns' | 'portableNames'>): void {
  if (o.portableNames === false) return;
  // The name already passed the file-name rule (src/wal/paths.ts): what is left is its first character or a keyword.
  const problem = nameProblem(name);
  if (problem !== undefined) {
    throw new InvalidTableNameError(name, `${problem.replace(/ and hold only .*$/, '')}, so Simple's SDN parser could not read its snapshot; pick another name, ${OPT_OUT}`);
  }
  const names: [string, string][] = [];
  if (o.key !== undefined) names.push(['key', o.key]);
  for (const c of o.columns ?? []) names.push(['columns', c]);
  for (const [option, n] of names) {
    const p = nameProblem(n);
    if (p !== undefined) throw new SdnwalError('INVALID_OPTION', `Expected \`${option}\` to hold portable SDN names: ${JSON.stringify(n)} ${p}; rename it, ${OPT_OUT}`);
  }
}
