// Reading a snapshot object (src/nats/snapshots.ts) whose chunks arrive slowly: the stall check
// that looks for a replaced object must not lose the chunk it stopped waiting for. It did: on
// busy cores a chunk slower than the 250 ms check was read by a read() the loop had given up on,
// and the snapshot came back without its first chunk (CORRUPT_SNAPSHOT at line 1).
import type { ObjectStore } from '@nats-io/obj';
import { describe, expect, test } from 'vitest';
import { SnapshotBucket } from '../../src/nats/snapshots.js';

const TABLE_ID = '0123456789abcdef0123456789abcdef';

/** An object store holding one object whose chunks arrive `delays` ms apart. */
function slowStore(chunks: string[], delays: number[]): ObjectStore {
  const bytes = chunks.map((c) => Buffer.from(c));
  const info = { name: 'x.sdn', nuid: 'N1', size: bytes.reduce((n, b) => n + b.length, 0), metadata: { table_id: TABLE_ID }, deleted: false };
  const store = {
    info: async () => info,
    get: async () => ({
      info,
      error: Promise.resolve(null),
      data: new ReadableStream<Uint8Array>({
        async start(c) {
          for (let i = 0; i < bytes.length; i++) {
            await new Promise((r) => setTimeout(r, delays[i]));
            c.enqueue(bytes[i]!);
          }
          c.close();
        },
      }),
    }),
  };
  return store as unknown as ObjectStore;
}

/** A bucket on `store` (the constructor is private: built as open() would, without a server). */
function bucketOn(store: ObjectStore): { readObject(store: ObjectStore, name: string, tableId: string): Promise<Uint8Array | null> } {
  const Ctor = SnapshotBucket as unknown as new (...a: unknown[]) => SnapshotBucket;
  const b = new Ctor(undefined, 'b', 1, 20_000, 5_000) as unknown as { store: ObjectStore };
  b.store = store;
  return b as unknown as { readObject(store: ObjectStore, name: string, tableId: string): Promise<Uint8Array | null> };
}

describe('SnapshotBucket reads', () => {
  test('chunks slower than the stall check all arrive, in order', async () => {
    const chunks = ['meta:\n', '    format: 1\n', 'rows |id|\n', '    "a"\n'];
    const store = slowStore(chunks, [600, 10, 700, 10]);
    const text = await bucketOn(store).readObject(store, 'x.sdn', TABLE_ID);
    expect(Buffer.from(text!).toString()).toBe(chunks.join(''));
  }, 20_000);
});
