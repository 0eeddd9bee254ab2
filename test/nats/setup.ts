/**
 * Shared by the NATS tests: whether nats-server is there, and short timeouts so a failure shows
 * quickly. Without nats-server, test/nats/availability.test.ts says loudly that they did not run.
 */
import { natsServerBinary } from '../helpers/nats-server.js';

export const NATS_BIN = natsServerBinary();
export const HAVE_NATS = NATS_BIN !== undefined;

/** Store options for tests: small deadlines (a leader election on loopback takes a few seconds). */
export const testNats = { ackTimeoutMs: 1500, writeDeadlineMs: 45_000, connectTimeoutMs: 5000 } as const;
