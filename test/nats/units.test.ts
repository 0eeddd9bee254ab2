/** Pieces of the NATS backend that need no server: URLs, names, the stored definition, options. */
import { describe, expect, test } from 'vitest';
import { parseServers, redact, splitLocation } from '../../src/nats/connect.js';
import { decodeDefinition, encodeDefinition, streamName, subjectOf } from '../../src/nats/stream.js';
import type { NatsContext } from '../../src/nats/context.js';
import { NatsWatcher } from '../../src/nats/watch.js';
import { resolveStoreOptions } from '../../src/store/options.js';
import { encodeEntry } from '../../src/wal/entry.js';

describe('NATS backend pieces', () => {
  test('server lists and their messages', () => {
    expect(parseServers('nats://127.0.0.1:4222,nats://127.0.0.1:4223')).toEqual(['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223']);
    expect(() => parseServers('nats://host:4222/path')).toThrow(/no path/);
    expect(() => parseServers('http://host:4222')).toThrow(/NATS server URL/);
    expect(redact('nats://u:secret@h:4222,nats://h2:4222')).toBe('nats://h:4222,nats://h2:4222');
    expect(splitLocation('nats://a:4222,nats://b:4222?replicas=3&prefix=x')).toEqual({ servers: 'nats://a:4222,nats://b:4222', params: { replicas: 3, prefix: 'x' } });
    expect(splitLocation('nats://a:4222')).toEqual({ servers: 'nats://a:4222', params: {} });
    expect(() => splitLocation('nats://a:4222?bogus=1')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  test('names and the definition in a stream description', () => {
    expect(streamName('sdnwal', 'todos')).toBe('sdnwal_todos');
    expect(subjectOf('sdnwal', 'todos')).toBe('sdnwal.todos');
    const def = { prefix: 'p', table: 't', tableId: 'a'.repeat(32), key: 'id', columns: ['id', 'version', 'last_modified'], conflict: 'merge' as const };
    expect(decodeDefinition(encodeDefinition(def))).toEqual(def);
    expect(decodeDefinition(encodeDefinition({ ...def, columns: null, conflict: undefined }))).toEqual({ ...def, columns: null, conflict: undefined });
    expect(decodeDefinition('someone else’s stream')).toBeUndefined();
    expect(decodeDefinition('sdnwal table {"v":1,"prefix":"p","table":"t","table_id":"x","key":"id","columns":null,"conflict":"bogus"}')).toBeUndefined();
  });

  test('the nats store options are validated and defaulted', () => {
    expect(resolveStoreOptions({}).nats).toMatchObject({ replicas: 1, prefix: 'sdnwal', maxInFlight: 64 });
    expect(resolveStoreOptions({ nats: { replicas: 3, prefix: 'x-1' } }).nats).toMatchObject({ replicas: 3, prefix: 'x-1' });
    expect(() => resolveStoreOptions({ nats: { replicas: 2 as never } })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => resolveStoreOptions({ nats: { prefix: 'a.b' } })).toThrow(/nats.prefix/);
    expect(() => resolveStoreOptions({ nats: { writeDeadlineMs: 10 * 60_000 } })).toThrow(/duplicate window/);
    expect(() => resolveStoreOptions({ nats: { bogus: 1 } as never })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('NATS watcher: entries purged before the first one is yielded', () => {
  /** A context whose stream delivers `seqs` (an ordered consumer over a purged stream) and whose snapshot absorbed `absorbed()`. */
  function fakeContext(seqs: number[], absorbed: () => number, last = 0): NatsContext {
    const msgs = seqs.map((seq, i) => ({
      seq,
      data: encodeEntry({ operation: 'insert', rows: [{ key: `k${seq}`, value: { id: `k${seq}` } }], timestamp: 1, synced: 0 } as never, false),
      info: { pending: seqs.length - i - 1 },
    }));
    const consumer = {
      consume: async () => ({
        stop: () => undefined,
        [Symbol.asyncIterator]: () => {
          let i = 0;
          return { next: async () => (i < msgs.length ? { done: false, value: msgs[i++] } : new Promise(() => undefined)) };
        },
      }),
    };
    return {
      o: { writeDeadlineMs: 1000, ackTimeoutMs: 100 },
      js: { consumers: { get: async () => consumer } },
      jsm: { streams: { info: async () => ({ state: { last_seq: last, first_seq: 1, bytes: 0, messages: 0 } }) } },
      bucket: { absorbed: async () => absorbed() },
    } as unknown as NatsContext;
  }
  const def = { prefix: 'sdnwal', table: 't', tableId: 'x', key: 'id', columns: null, conflict: undefined };

  test('without fromStart: WATCH_GAP, never a silent skip', async () => {
    const w = new NatsWatcher(fakeContext([105, 106], () => 0, 100), def, {}, new AbortController().signal);
    await expect(w.next()).rejects.toMatchObject({ code: 'WATCH_GAP' });
  });

  test('fromStart: a newer snapshot holds the missing ones (start above it); otherwise WATCH_GAP', async () => {
    let absorbed = 0;
    const ok = new NatsWatcher(fakeContext([101, 102], () => absorbed), def, { fromStart: true }, new AbortController().signal);
    absorbed = 200;
    expect((await ok.next()).value).toMatchObject({ offset: 101 });
    absorbed = 0;
    const gap = new NatsWatcher(fakeContext([101, 102], () => absorbed), def, { fromStart: true }, new AbortController().signal);
    await expect(gap.next()).rejects.toMatchObject({ code: 'WATCH_GAP' });
  });
});
