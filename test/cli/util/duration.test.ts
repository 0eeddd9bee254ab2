import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/command.js';
import { parseDuration } from '../../../src/cli/util/duration.js';

describe('parseDuration', () => {
  it('reads s, m, h, ms and bare seconds', () => {
    expect(parseDuration('30s', '--every')).toBe(30_000);
    expect(parseDuration('5m', '--every')).toBe(300_000);
    expect(parseDuration('1h', '--every')).toBe(3_600_000);
    expect(parseDuration('250ms', '--every')).toBe(250);
    expect(parseDuration('2', '--every')).toBe(2000);
    expect(parseDuration('1.5m', '--every')).toBe(90_000);
  });

  it('rejects other text and zero as a usage error naming the option', () => {
    for (const bad of ['', 'm', '5x', '-1s', '0s', '5 minutes']) {
      expect(() => parseDuration(bad, '--every')).toThrow(UsageError);
    }
    expect(() => parseDuration('soon', '--every')).toThrow(/`--every`.*`soon`/);
  });
});
