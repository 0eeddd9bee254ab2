/**
 * The `nats` store options (docs/nats.md): validated here, without loading any NATS package, so
 * a local store never pays for the NATS client.
 */
import { lazySchema, zod } from '../zod-lazy.js';

export interface NatsOptions {
  /** Replicas of each table's stream and of the snapshot and lease buckets (used when they are created). @default 1 */
  readonly replicas?: 1 | 3 | 5;
  /** Names of streams (`<prefix>_<table>`), subjects (`<prefix>.<table>`) and buckets. @default 'sdnwal' */
  readonly prefix?: string;
  /** Publishes awaiting their acknowledgement at once, per table (the pipeline that replaces group commit). @default 64 */
  readonly maxInFlight?: number;
  /** How long one publish attempt waits for its acknowledgement before it is sent again with the same id. @default 5000 */
  readonly ackTimeoutMs?: number;
  /** How long an append keeps retrying (timeouts, a stream without a leader) before it fails with UNAVAILABLE; well inside the 5-minute duplicate window. @default 120000 */
  readonly writeDeadlineMs?: number;
  /** How long openStore() waits to connect. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Shown as the client's name in the server's monitoring. @default 'sdnwal' */
  readonly name?: string;
}

export interface ResolvedNatsOptions {
  replicas: 1 | 3 | 5;
  prefix: string;
  maxInFlight: number;
  ackTimeoutMs: number;
  writeDeadlineMs: number;
  connectTimeoutMs: number;
  name: string;
}

/** The NATS duplicate window of a table's stream: an append's retries stop well inside it. */
export const DUPLICATE_WINDOW_MS = 5 * 60_000;

export const PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Built on first use (zod loads only to check options that did not pass the hand checks). */
export const natsOptionsSchema = lazySchema(() => {
  const z = zod();
  return z
    .object({
      replicas: z.union([z.literal(1), z.literal(3), z.literal(5)]),
      prefix: z.string().regex(PREFIX_PATTERN, "1-32 letters, digits, '_' or '-'"),
      maxInFlight: z.number().int().min(1).max(4096),
      ackTimeoutMs: z.number().int().min(10).max(DUPLICATE_WINDOW_MS),
      writeDeadlineMs: z.number().int().min(10).max(DUPLICATE_WINDOW_MS - 60_000, 'at most 4 minutes, inside the 5-minute duplicate window'),
      connectTimeoutMs: z.number().int().min(10).max(2_147_483_647),
      name: z.string().min(1),
    })
    .strict()
    .partial();
});

export function resolveNatsOptions(o: NatsOptions | undefined): ResolvedNatsOptions {
  return {
    replicas: o?.replicas ?? 1,
    prefix: o?.prefix ?? 'sdnwal',
    maxInFlight: o?.maxInFlight ?? 64,
    ackTimeoutMs: o?.ackTimeoutMs ?? 5000,
    writeDeadlineMs: o?.writeDeadlineMs ?? 120_000,
    connectTimeoutMs: o?.connectTimeoutMs ?? 10_000,
    name: o?.name ?? 'sdnwal',
  };
}
