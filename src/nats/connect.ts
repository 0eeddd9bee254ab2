/** Connecting to the NATS servers a store URL names (docs/nats.md, "The URL"). */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { SdnwalError } from '../errors.js';
import type { NatsOptions, ResolvedNatsOptions } from './options.js';
import { describe, UnavailableError } from './errors.js';

export interface Connected {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** The servers as given (comma-separated URL list), for messages. */
  location: string;
}

/**
 * Options given in the URL, after the last server: `nats://a:4222,nats://b:4222?replicas=3&prefix=x`
 * (what the CLI, which has no option for them, can pass). They win over openStore's `nats` options.
 */
export function splitLocation(location: string): { servers: string; params: Partial<Record<keyof NatsOptions, unknown>> } {
  const q = location.indexOf('?');
  if (q < 0) return { servers: location, params: {} };
  const params: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(location.slice(q + 1))) {
    if (!(URL_OPTIONS as readonly string[]).includes(k)) throw new SdnwalError('INVALID_OPTION', `Expected the NATS URL's parameters to be among ${URL_OPTIONS.join(', ')}, got \`${k}\``);
    params[k] = k === 'prefix' || k === 'name' ? v : Number(v);
  }
  return { servers: location.slice(0, q), params };
}

const URL_OPTIONS = ['replicas', 'prefix', 'maxInFlight', 'ackTimeoutMs', 'writeDeadlineMs', 'connectTimeoutMs', 'name'] as const;

/** `nats://a:4222,nats://b:4222` (or `a:4222,b:4222` after the first scheme) → the server list. */
export function parseServers(location: string): string[] {
  const servers = location.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (servers.length === 0) throw new SdnwalError('INVALID_OPTION', `Expected a NATS URL such as nats://127.0.0.1:4222, got \`${location}\``);
  for (const s of servers) {
    let url: URL;
    try {
      url = new URL(/^[a-z]+:\/\//i.test(s) ? s : `nats://${s}`);
    } catch {
      throw new SdnwalError('INVALID_OPTION', `Expected a NATS server URL such as nats://127.0.0.1:4222, got \`${s}\``);
    }
    if (!['nats:', 'tls:'].includes(url.protocol) || url.hostname === '' || (url.pathname !== '' && url.pathname !== '/')) {
      throw new SdnwalError('INVALID_OPTION', `Expected a NATS server URL such as nats://127.0.0.1:4222 (no path), got \`${s}\``);
    }
  }
  return servers;
}

/** The location without credentials, for messages. */
export function redact(location: string): string {
  return location.replace(/\/\/[^@/,]*@/g, '//');
}

export async function connectNats(location: string, o: ResolvedNatsOptions): Promise<Connected> {
  const servers = parseServers(location);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: o.name,
      timeout: o.connectTimeoutMs,
      // Ride out a restarting server or a leader election: keep reconnecting; appends retry meanwhile.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      waitOnFirstConnect: false,
      noEcho: true,
    });
  } catch (err) {
    throw new UnavailableError(`cannot connect to the NATS servers at ${redact(location)}: ${describe(err)}; is nats-server running with JetStream (-js)?`, err);
  }
  const js = jetstream(nc, { timeout: o.ackTimeoutMs });
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc, { timeout: o.ackTimeoutMs });
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw new UnavailableError(`the NATS servers at ${redact(location)} do not answer JetStream requests (${describe(err)}): start nats-server with JetStream enabled (-js, or a jetstream block in its config)`, err);
  }
  return { nc, js, jsm, location: redact(location) };
}
