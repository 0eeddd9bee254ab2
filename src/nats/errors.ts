/** How NATS client errors map to sdnwal's (docs/nats.md, "Errors"). */
import { errors as coreErrors, RequestError } from '@nats-io/transport-node';
import { JetStreamApiError, JetStreamError } from '@nats-io/jetstream';
import { SdnwalError } from '../errors.js';

/** The server's API code for a publish whose expected last sequence did not match. */
export const WRONG_LAST_SEQUENCE = 10071;

export class UnavailableError extends SdnwalError {
  constructor(message: string, cause?: unknown) {
    super('UNAVAILABLE', message, { cause });
  }
}

function isNoResponders(err: unknown): boolean {
  if (err instanceof coreErrors.NoRespondersError) return true;
  if (err instanceof RequestError) return err.isNoResponders();
  // The client reports an exhausted "no responders" as JetStreamNotEnabled (not exported), cause kept.
  if (err instanceof Error && !(err instanceof JetStreamError) && err.name === 'JetStreamNotEnabled') return isNoResponders(err.cause);
  return false;
}

/**
 * Worth sending again with the same message id: no acknowledgement in time, nobody answering (a
 * stream without a leader during an election), a cluster that says it is temporarily unavailable.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof coreErrors.TimeoutError || isNoResponders(err)) return true;
  if (err instanceof JetStreamApiError) return err.status === 503 || err.code === 10008;
  if (err instanceof coreErrors.ClosedConnectionError || err instanceof coreErrors.DrainingConnectionError) return false;
  return err instanceof coreErrors.ConnectionError || err instanceof RequestError;
}

export function isWrongLastSequence(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === WRONG_LAST_SEQUENCE;
}

/** The stream (a table's, or a bucket's) does not exist, as the client threw it or wrapped in an SdnwalError. */
export function isStreamGone(err: unknown): boolean {
  const e = err instanceof SdnwalError ? err.cause : err;
  return e instanceof JetStreamApiError && e.code === 10059;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === 10059 || err.code === 10037 || err.status === 404);
}

export function describe(err: unknown): string {
  if (isNoResponders(err)) return 'no responders (no stream leader)';
  return (err as Error)?.message ?? String(err);
}

/** A client error as an SdnwalError (connection closed: CLOSED; anything else: UNAVAILABLE). */
export function toSdnwalError(err: unknown, what: string): unknown {
  if (err instanceof SdnwalError) return err;
  if (err instanceof coreErrors.ClosedConnectionError || err instanceof coreErrors.DrainingConnectionError) return new SdnwalError('CLOSED', `${what}: the connection to the NATS servers is closed`, { cause: err });
  if (isRetryable(err) || err instanceof coreErrors.ConnectionError) return new UnavailableError(`${what}: ${describe(err)}`, err);
  if (err instanceof JetStreamApiError) return new UnavailableError(`${what}: the server refused it (${err.message}, code ${err.code})`, err);
  return err;
}
