// What README ("Replay rules"), docs/wal-format.md ("Entries") and docs/snapshot-format.md ("Cells")
// say about values: a table takes JSON-like values only, and `get()` after a compaction deep-equals
// `get()` before, in this process and in another; a Date, bigint or Buffer only a foreign encoder
// can log reads back as such until a compaction writes it as JSON would.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { readSnapshotMeta } from '../../src/snapshot/meta.js';
import { tablePaths } from '../../src/wal/paths.js';
import { buildLibrary } from '../helpers/build-wal.js';
import { tmpDir } from '../helpers/tmp.js';
import { makeWriter } from '../snapshot/helpers.js';

const ROWS = [
  { id: 'a', x: 1, y: 'two' },
  { id: 'b', y: null, x: -0 },
  { id: 'c', z: { n: null, e: '', s: 'nil', arr: [null, -0, 1e21, 5e-324, 0.1 + 0.2] } },
  { id: 'd', x: 'line\nbreak "q" é \u{1F600}', w: [], v: {} },
  { id: 'e', n: 1, x: Number.MAX_SAFE_INTEGER, y: -1.5e-7 },
];

/** The rows as another process reads them, with -0 marked (JSON would print it as 0). */
function readElsewhere(dir: string): unknown {
  const script = `import { openStore } from ${JSON.stringify(buildLibrary())};
const s = await openStore(${JSON.stringify(dir)}, { readOnly: true });
const t = await s.table('v');
const rows = await Promise.all(${JSON.stringify(ROWS.map((r) => r.id))}.map((k) => t.get(k)));
await s.close();
process.stdout.write(JSON.stringify(rows, (k, v) => (Object.is(v, -0) ? '-0' : v)));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

const marked = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (Object.is(x, -0) ? '-0' : x)));

/** A store whose table `v` holds one row with key 'f', logged by a writer that skips the Table's checks (as another encoder could). */
async function loggedByForeignEncoder(values: Record<string, unknown>): Promise<string> {
  const dir = tmpDir();
  const store = await openStore(dir);
  await store.table('v', { key: 'id' });
  await store.close();
  const paths = tablePaths(dir, 'v');
  const writer = makeWriter(paths, readSnapshotMeta(paths.snapshot)!.tableId!);
  await writer.append({ operation: 'insert', rows: [{ key: 'f', values }], timestamp: Date.now() });
  await writer.close();
  return dir;
}

describe('values through the log and a compaction', () => {
  it('get() after a compaction deep-equals get() before, here and in another process', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('v', { key: 'id' });
    for (const r of ROWS) await t.insert(r);
    const before = await Promise.all(ROWS.map((r) => t.get(r.id)));
    expect(before).toEqual(ROWS);
    expect(readElsewhere(dir)).toEqual(marked(ROWS));
    await t.compact();
    expect(await Promise.all(ROWS.map((r) => t.get(r.id)))).toEqual(before);
    await store.close();
    expect(readElsewhere(dir)).toEqual(marked(ROWS));
  });

  it('a Date, bigint or Buffer a foreign encoder logged reads back as such, then as JSON would write it after a compaction', async () => {
    const values = { id: 'f', d: new Date(0), small: 5n, big: 2n ** 64n, buf: Buffer.from('x'), arr: [undefined, 1] };
    const dir = await loggedByForeignEncoder(values);

    const again = await openStore(dir);
    const t = await again.table('v');
    expect(await t.get('f')).toEqual(values);
    await t.compact();
    await again.close();
    const third = await openStore(dir);
    expect(await (await third.table('v')).get('f')).toEqual({ id: 'f', d: '1970-01-01T00:00:00.000Z', small: 5, big: '18446744073709551616', buf: { type: 'Buffer', data: [120] }, arr: [null, 1] });
    await third.close();
  });

  it('NaN or Infinity a foreign encoder logged makes the compaction fail (SDN_STRINGIFY)', async () => {
    const dir = await loggedByForeignEncoder({ id: 'f', n: Infinity });
    const again = await openStore(dir);
    const t = await again.table('v');
    expect(await t.get('f')).toEqual({ id: 'f', n: Infinity });
    await expect(t.compact()).rejects.toMatchObject({ code: 'SDN_STRINGIFY' });
    await again.close();
  });
});
