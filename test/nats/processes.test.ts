/**
 * Writer processes against one node: killed with SIGKILL mid-write (every acknowledged key
 * present, none logged twice), and 16 writers at once on busy cores (exact counts).
 */
import { describe, expect, test } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { busyCores } from '../helpers/busy.js';
import { killWritersAndCheck } from './killed-writers.js';
import { loggedKeys } from './raw.js';
import { HAVE_NATS, oneNode, runWorker, testNats } from './setup.js';

describe.skipIf(!HAVE_NATS)('NATS store: writer processes (one node)', () => {
  const node = oneNode();

  test('writers killed with SIGKILL mid-write (64 in flight): every acknowledged key once', async () => {
    await killWritersAndCheck(node.server.url, 'killed', { writers: 4, rounds: 2, outstanding: 64 });
  }, 60_000);

  test('16 writer processes at once on busy cores: exact counts, each key logged once', async () => {
    const busy = busyCores(2);
    try {
      const s = await openStore(node.server.url, { nats: { ...testNats } });
      await (await s.table('many', { key: 'id', columns: ['id', 'n'] })).insert({ id: 'seed', n: 0 });
      await s.close();
      const runs = await Promise.all(Array.from({ length: 16 }, (_, i) => runWorker([node.server.url, 'append', 'many', `p${i}`, '150'])));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      const r = await openStore(node.server.url, { nats: { ...testNats }, readOnly: true });
      expect(await (await r.table('many')).count()).toBe(16 * 150 + 1);
      await r.close();
      const logged = await loggedKeys(node.server.url, 'sdnwal_many');
      expect(logged).toHaveLength(16 * 150 + 1);
    } finally {
      busy.stop();
    }
  }, 90_000);

  test('16 processes create the same new table at once (and the store bucket): one definition, no failures', async () => {
    const url = `${node.server.url}?prefix=race`;
    const busy = busyCores(2);
    try {
      const runs = await Promise.all(Array.from({ length: 16 }, (_, i) => runWorker([url, 'create', 'fresh', `c${i}`, '20'])));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      const r = await openStore(url, { nats: { ...testNats }, readOnly: true });
      expect(await (await r.table('fresh')).count()).toBe(16 * 20);
      await r.close();
    } finally {
      busy.stop();
    }
  }, 60_000);
});
