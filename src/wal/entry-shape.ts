/**
 * A logged write's shape, spelled once (docs/wal-format.md, "Entries"): its operations and the
 * names of its fields. TypeScript code reads entries through the PendingWrite type, which the
 * compiler holds to these names; the readers that walk an entry's msgpack bytes (entry-keys.ts,
 * the compactor's insert-lines.ts) and the packer (entry-pack.ts) match the bytes of these names.
 */
export const OPERATIONS = ['insert', 'update', 'delete'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Fields of a write entry (`spoolId` only on a write drained from the spool). */
export const WRITE_FIELDS = ['operation', 'rows', 'timestamp', 'synced', 'spoolId'] as const;
/** Fields of one of its rows. */
export const ROW_FIELDS = ['key', 'values'] as const;
/** Every field name a write entry holds, entry fields first. */
export const ENTRY_FIELD_NAMES = [...WRITE_FIELDS, ...ROW_FIELDS] as const;
export type EntryFieldName = (typeof ENTRY_FIELD_NAMES)[number];

export function isOperation(v: unknown): v is Operation {
  return v === 'insert' || v === 'update' || v === 'delete';
}
