/**
 * The name of a snapshot's rows table (docs/snapshot-format.md): the table's own name when Simple's
 * SDN parser reads it as a name, else a portable stand-in, so the rows stay readable there too.
 */
import { isPortableName } from '../sdn/names.js';
import { META_KEY, PORTABLE_ROWS_SECTION } from './constants.js';
import type { ExtraSection, SnapshotMeta } from './meta.js';

/**
 * An adopted file's rows table (or a stand-in chosen before) keeps its name; a table whose name is
 * not portable (`1abc`, made before the rule) gets `rows` (`rows_2`… when an extra section has it).
 */
export function rowsSection(meta: Pick<SnapshotMeta, 'table' | 'section'>, extra: readonly ExtraSection[]): string {
  if (meta.section !== meta.table || isPortableName(meta.table)) return meta.section;
  const taken = new Set([META_KEY, ...extra.map((x) => x.name)]);
  let name = PORTABLE_ROWS_SECTION;
  for (let i = 2; taken.has(name); i++) name = `${PORTABLE_ROWS_SECTION}_${i}`;
  return name;
}
