/**
 * The `tombstones` section of a versioned table's snapshot: `tombstones |key, version|`, one row per
 * deleted key with the version its delete took, written after the rows. It keeps versions from
 * repeating once the delete entries are compacted away (docs/protocol.md §10). Tables without a conflict
 * strategy have none, and a section of that name in an adopted file is left alone.
 */
import { CorruptSnapshotError } from './corrupt.js';
import { formatRow, formatRowsHeader } from './format.js';
import type { ExtraSection, SnapshotMeta } from './meta.js';

export const TOMBSTONES_SECTION = 'tombstones';
const COLUMNS = ['key', 'version'] as const;

/** The tombstones of a loaded snapshot (key → version); empty when the table is not versioned or has none. */
export function readTombstones(file: string, meta: SnapshotMeta | undefined, extra: readonly ExtraSection[]): Map<string, number> {
  const out = new Map<string, number>();
  if (!meta?.conflict) return out;
  const section = extra.find((x) => x.name === TOMBSTONES_SECTION);
  if (!section) return out;
  if (!Array.isArray(section.value)) throw new CorruptSnapshotError(file, undefined, `the ${TOMBSTONES_SECTION} section must be a named table |key, version|`);
  for (const row of section.value as unknown[]) {
    const r = row as Record<string, unknown> | null;
    const key = r?.key;
    const version = r?.version;
    const keyOk = (typeof key === 'string' && key !== '') || (typeof key === 'number' && Number.isFinite(key));
    if (!keyOk || typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
      throw new CorruptSnapshotError(file, undefined, `bad ${TOMBSTONES_SECTION} row ${JSON.stringify(row)}: expected a key and a version >= 1`);
    }
    out.set(String(key), version);
  }
  return out;
}

/** The extra sections to write with a new snapshot: `extra` with its tombstones section replaced by `tombstones`. */
export function withTombstones(meta: SnapshotMeta, extra: readonly ExtraSection[], tombstones: ReadonlyMap<string, number>): ExtraSection[] {
  if (!meta.conflict) return [...extra];
  const rest = extra.filter((x) => x.name !== TOMBSTONES_SECTION);
  if (tombstones.size === 0) return rest;
  const value = [...tombstones].map(([key, version]) => ({ key, version }));
  let text = formatRowsHeader(TOMBSTONES_SECTION, COLUMNS);
  for (const row of value) text += formatRow(row, COLUMNS);
  return [...rest, { name: TOMBSTONES_SECTION, value, before: false, text }];
}
