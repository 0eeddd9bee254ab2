import { describe, expect, it } from 'vitest';
import { stopOnSignals } from '../../../src/cli/util/stop.js';

describe('stopOnSignals', () => {
  it('a SIGTERM aborts the signal and ends a sleep early; dispose removes the handlers', async () => {
    const before = process.listenerCount('SIGTERM');
    const stop = stopOnSignals();
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    const slept = stop.sleep(60_000);
    process.emit('SIGTERM', 'SIGTERM');
    await slept; // would time the test out if the signal did not end it
    expect(stop.signal.aborted).toBe(true);
    await stop.sleep(60_000); // already stopped: returns at once
    stop.dispose();
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
