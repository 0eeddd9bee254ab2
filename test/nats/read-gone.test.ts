// Reading a range of a table's stream that is no longer there (purged after its last sequence was
// read, as a compaction's purge can do while `tail` or `verify` reads) ends the read; it used to
// wait for a message that would never come.
import { describe, expect, test } from 'vitest';
import { streamName } from '../../src/nats/stream.js';
import { runCli } from '../helpers/cli.js';
import { purgeStream, streamNames } from './raw.js';
import { HAVE_NATS, oneNode } from './setup.js';

describe.skipIf(!HAVE_NATS)('reads of a purged range', () => {
  const node = oneNode();

  /** Table `name` with `n` rows logged, then every message of its stream purged (no snapshot holds them). */
  async function purgedTable(name: string, n: number): Promise<void> {
    const t = await (await node.open()).table(name, { key: 'id' });
    for (let i = 0; i < n; i++) await t.insert({ id: `${name}-${i}` });
    await purgeStream(node.server.url, streamName('sdnwal', name));
  }

  test('tail and verify of a table whose stream was purged above its snapshot return (verify names what is missing)', async () => {
    await purgedTable('gone', 10);

    const tail = await runCli(['tail', node.server.url, 'gone', '--json']);
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout).toBe('');
    const verify = await runCli(['verify', node.server.url, '--json']);
    expect(verify.code).toBe(1);
    const table = JSON.parse(verify.stdout).tables.find((x: { table: string }) => x.table === 'gone');
    expect(table.ok).toBe(false);
    expect(table.problems.join('\n')).toMatch(/read ended at 0, before its last sequence 10/);
  }, 60_000);

  test('a compaction of such a table refuses (CORRUPT_LOG) and writes nothing, instead of waiting', async () => {
    await purgedTable('gone2', 5);
    const c = await runCli(['compact', node.server.url, 'gone2', '--json']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/CORRUPT_LOG|no sequences 1\.\.5/);
    // No snapshot was written: the bucket snapshots go in was never made (nothing here compacts).
    expect(await streamNames(node.server.url)).not.toContain('OBJ_sdnwal_snapshots');
    // Reads of it say the same (they used to wait out the 2-minute write deadline, then UNAVAILABLE).
    const count = await runCli(['count', node.server.url, 'gone2']);
    expect(count.code).toBe(1);
    expect(count.stderr).toMatch(/sequences 1\.\.5 are missing above the snapshot/);
  }, 60_000);

  test('a read waiting on such a stream when its table is closed ends CLOSED (it does not go on to ask the stream and load the snapshot)', async () => {
    await purgedTable('gone3', 3);
    const reader = await node.open();
    const r = await reader.table('gone3');
    const read = r.count().then(
      (n) => ({ n }),
      (err: { code?: string }) => ({ code: err.code }),
    );
    // The read is waiting for sequence 1, which never comes (ackTimeoutMs * 2 before it asks the stream).
    await new Promise((resolve) => setTimeout(resolve, 800));
    await r.close();
    expect(await read).toEqual({ code: 'CLOSED' });
  }, 60_000);
});
