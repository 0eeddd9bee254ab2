/**
 * `sdnwal compact --every`: an interval a timer cannot wait (above 2^31 - 1 ms, ~24.8 days) or
 * one that rounds to nothing would make the loop compact without pause; both are usage errors.
 * Run as real processes with a timeout, so that a loop that does start ends the test instead of hanging it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command.js';
import { parseDuration } from '../../src/cli/util/duration.js';
import { events, seed } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/sdnwal.js', import.meta.url));

function compact(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'compact', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('compact --every limits', () => {
  it('an interval above the timer maximum exits 2 with a clear message, before compacting anything', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 2));
    const before = fs.readFileSync(path.join(dir, 'a.sdn'), 'utf8');
    for (const every of ['99999999h', '597h', '2147483648ms']) {
      const r = compact([dir, '--every', every, '--json']);
      expect(r.status, every).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`error: Expected \`--every\` to be at most 2147483647 ms (596h, ~24.8 days: the longest a timer can wait), got \`${every}\`\n`);
    }
    expect(fs.readFileSync(path.join(dir, 'a.sdn'), 'utf8')).toBe(before);
  });

  it('zero, negative, not a number, or less than 1 ms once rounded exits 2', async () => {
    const dir = tmpDir();
    await seed(dir, 'a', events(0, 2));
    for (const every of ['0', '0ms', '-5s', 'NaN', '0.4ms', '0.0001s']) {
      const r = compact([dir, `--every=${every}`]); // `=`: parseArgs would take '-5s' for an option
      expect(r.status, every).toBe(2);
      expect(r.stderr).toBe(`error: Expected \`--every\` to be a duration like 30s, 5m or 1h, got \`${every}\`\n`);
    }
  });

  it('parseDuration takes up to 2147483647 ms and refuses one more', () => {
    expect(parseDuration('596h', '--every')).toBe(596 * 3_600_000);
    expect(parseDuration('2147483647ms', '--every')).toBe(2_147_483_647);
    expect(parseDuration('1ms', '--every')).toBe(1);
    expect(() => parseDuration('2147483648ms', '--every')).toThrow(UsageError);
    expect(() => parseDuration('0.4ms', '--every')).toThrow(UsageError);
  });
});
