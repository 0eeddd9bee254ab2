/**
 * `sdnwal tail nats://… --follow` in its own process while another compacts the table again and
 * again (each compaction purging the generation before): every entry printed once, in order, and
 * SIGINT ends it with exit 0, as on a local store.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { startNatsServer, type NatsSingle } from '../helpers/nats-server.js';
import { sleep } from './raw.js';
import { HAVE_NATS, testNats } from './setup.js';

const bin = path.resolve(import.meta.dirname, '../../bin/sdnwal.js');

describe.skipIf(!HAVE_NATS)('CLI on a NATS store: tail --follow', () => {
  let server: NatsSingle;
  let store: Store | undefined;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await store?.close().catch(() => undefined);
    await server?.stop();
  });

  test('across eight compactions and purges: each entry once, in order; SIGINT exits 0', async () => {
    store = await openStore(server.url, { nats: { ...testNats } });
    const t = await store.table('tf', { key: 'id' });
    await t.insert({ id: 'first' });
    const child = spawn(process.execPath, [bin, 'tail', server.url, 'tf', '--follow', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const until = Date.now() + 20_000;
    while (!out.includes('first') && Date.now() < until) await sleep(20);
    for (let round = 0; round < 8; round++) {
      await Promise.all(Array.from({ length: 300 }, (_, i) => t.insert({ id: `r${round}-${i}` })));
      await t.compact();
    }
    const lineCount = (): number => out.split('\n').filter(Boolean).length;
    while (lineCount() < 2401 && Date.now() < until && child.exitCode === null) await sleep(50);
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    const offsets = out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { offset: number }).offset);
    expect(offsets, err).toEqual(Array.from({ length: 2401 }, (_, i) => i + 1));
    expect(code).toBe(0);
  }, 60_000);
});
