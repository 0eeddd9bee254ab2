/**
 * Shared by the NATS tests: whether nats-server is there, and short timeouts so a failure shows
 * quickly. Without nats-server, test/nats/availability.test.ts says loudly that they did not run.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import type { StoreOptions } from '../../src/store/options.js';
import { natsServerBinary, startNatsServer, type NatsSingle } from '../helpers/nats-server.js';

export const NATS_BIN = natsServerBinary();
export const HAVE_NATS = NATS_BIN !== undefined;

/** Store options for tests: small deadlines (a leader election on loopback takes a few seconds). */
export const testNats = { ackTimeoutMs: 1500, writeDeadlineMs: 45_000, connectTimeoutMs: 5000 } as const;

/**
 * One nats-server for the tests of a describe block (started before them, stopped by pid after),
 * and `open()`, a store on it with the test options; every store opened is closed at the end.
 */
export function oneNode(): { readonly server: NatsSingle; open(o?: StoreOptions, url?: string): Promise<Store> } {
  let server: NatsSingle | undefined;
  const stores: Store[] = [];
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    await server?.stop();
  });
  return {
    get server() {
      return server!;
    },
    async open(o: StoreOptions = {}, url?: string) {
      const s = await openStore(url ?? server!.url, { nats: { ...testNats }, ...o });
      stores.push(s);
      return s;
    },
  };
}

const WORKER = path.resolve(import.meta.dirname, 'fixtures/worker.mjs');

/** Run test/nats/fixtures/worker.mjs with `args`; its exit code, stdout lines and stderr. */
export function runWorker(args: string[]): Promise<{ code: number | null; out: string[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => resolve({ code, out: out.split('\n').filter(Boolean), stderr: err }));
  });
}
