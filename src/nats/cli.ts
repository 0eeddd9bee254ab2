/**
 * The command line on a NATS store (docs/nats.md, "Command line"): what `compact`, `stats`,
 * `verify` and `tail` do when given a `nats://` URL where they take `<dir>`. Loaded only then.
 */
import { NotFoundError } from '../cli/command.js';
import { describeError, errorObject } from '../cli/errors.js';
import type { TableError, TableOutcome } from '../cli/commands/compact.js';
import { redact } from './connect.js';
import { openStore } from '../store/store.js';
import type { PendingWrite } from '../wal/entry.js';
import { listTables, tableStats, tailEntries, verifyTable, withNatsStore, type NatsTableStats, type NatsVerifyTable } from './inspect.js';

/** `sdnwal compact nats://… [table…]`: each table compacted through the store (the lease makes a concurrent one skip). */
export async function compactNats(url: string, names: string[]): Promise<TableOutcome[]> {
  // Checked read-only first: a missing table creates nothing (not even the snapshot bucket).
  const existing = new Set(await withNatsStore(url, {}, (ctx) => listTables(ctx)));
  const tables = names.length > 0 ? [...new Set(names)] : [...existing];
  // As for a store directory: a plain user error (exit 1, code NOT_FOUND).
  if (tables.length === 0) throw new NotFoundError(`no tables at ${redact(url)}`);
  for (const n of tables) if (!existing.has(n)) throw new NotFoundError(`no table ${n} at ${redact(url)}`);
  const store = await openStore(url);
  try {
    const out: TableOutcome[] = [];
    for (const name of tables) {
      try {
        out.push(await (await store.table(name)).compact());
      } catch (err) {
        out.push({ table: name, error: errorObject(describeError(err), false) as TableError });
      }
    }
    return out;
  } finally {
    await store.close();
  }
}

/** `sdnwal tail nats://… table`: the entries above the snapshot; `offset` is the stream sequence. */
export async function tailNats(url: string, table: string, each: (seq: number, w: PendingWrite) => void): Promise<void> {
  await withNatsStore(url, {}, (ctx) => tailEntries(ctx, table, each));
}

export interface NatsStatsReport {
  location: string;
  tables: NatsTableStats[];
}

export async function statsNats(url: string): Promise<NatsStatsReport> {
  const store = await openStore(url, { readOnly: true });
  try {
    return await withNatsStore(url, {}, async (ctx) => {
      const tables: NatsTableStats[] = [];
      for (const name of await listTables(ctx)) tables.push(await tableStats(ctx, name, async () => (await store.table(name)).count()));
      return { location: ctx.conn.location, tables };
    });
  } finally {
    await store.close();
  }
}

export function formatStatsNats(r: NatsStatsReport): string {
  const lines = [`${r.location}: ${r.tables.length} table${r.tables.length === 1 ? '' : 's'}`];
  for (const s of r.tables) {
    lines.push(
      '',
      `${s.table}`,
      `  rows                    ${s.rows}`,
      `  stream                  ${s.stream.name}: ${s.stream.messages} messages, ${s.stream.bytes} bytes, sequences ${s.stream.firstSeq}..${s.stream.lastSeq}, R${s.stream.replicas}${s.stream.leader ? `, leader ${s.stream.leader}` : ''}`,
      `  entries since snapshot  ${s.entriesSinceSnapshot}`,
      `  snapshot                ${s.snapshot.bytes} bytes, absorbed sequence ${s.snapshot.absorbedSeq}, ${s.snapshot.writtenAt ? `written ${s.snapshot.writtenAt}` : 'none'}`,
    );
    for (const p of s.problems) lines.push(`  problem                 ${p}`);
  }
  return lines.join('\n');
}

export interface NatsVerifyReport {
  ok: boolean;
  location: string;
  tables: NatsVerifyTable[];
}

export async function verifyNats(url: string): Promise<NatsVerifyReport> {
  return withNatsStore(url, {}, async (ctx) => {
    const tables: NatsVerifyTable[] = [];
    for (const name of await listTables(ctx)) tables.push(await verifyTable(ctx, name));
    return { ok: tables.every((t) => t.ok), location: ctx.conn.location, tables };
  });
}

export function formatVerifyNats(r: NatsVerifyReport): string {
  const lines = [`${r.location}: ${r.ok ? 'ok' : 'problems found'} (${r.tables.length} table${r.tables.length === 1 ? '' : 's'})`];
  for (const t of r.tables) {
    lines.push(`  ${t.table}: ${t.ok ? 'ok' : 'PROBLEMS'}, ${t.rows} rows in the snapshot (absorbed sequence ${t.absorbedSeq}), ${t.entriesChecked} entries above it checked (to sequence ${t.lastSeq})`);
    for (const p of t.problems) lines.push(`    ${p}`);
  }
  return lines.join('\n');
}
