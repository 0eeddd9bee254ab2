/** Seeding a table through the CLI's own `append`, for the CLI tests. */
import { expect } from 'vitest';
import { runCli } from './cli.js';

export const EVENT_COLUMNS = ['id', 'n', 'note'];

export function events(from: number, to: number): Record<string, unknown>[] {
  const out = [];
  for (let i = from; i < to; i++) out.push({ id: `e${i}`, n: i, note: `note, "${i}"` });
  return out;
}

export function ndjson(records: unknown[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** Append `records` to `table` (created with key id and EVENT_COLUMNS); fails the test if append fails. */
export async function seed(dir: string, table: string, records: Record<string, unknown>[]): Promise<void> {
  const r = await runCli(['append', dir, table, '--key', 'id', '--columns', EVENT_COLUMNS.join(',')], ndjson(records));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}
