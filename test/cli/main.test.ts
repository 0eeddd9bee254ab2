import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('cli main', () => {
  it('unknown command exits 2 with a message and no stack trace', async () => {
    const r = await runCli(['no-such-command']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown command: no-such-command/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--help lists commands and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: sdnwal <command>/);
  });

  it('no arguments prints help and exits 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
  });
});
