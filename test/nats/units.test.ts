/** Pieces of the NATS backend that need no server: URLs, names, the stored definition, options. */
import { describe, expect, test } from 'vitest';
import { parseServers, redact, splitLocation } from '../../src/nats/connect.js';
import { decodeDefinition, encodeDefinition, streamName, subjectOf } from '../../src/nats/stream.js';
import { resolveStoreOptions } from '../../src/store/options.js';

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
