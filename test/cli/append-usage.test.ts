/** `sdnwal append`: every usage mistake exits 2 with a message saying what is wrong, and creates nothing. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { events, ndjson, seed } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

describe('sdnwal append usage errors', () => {
  it('an invalid table name exits 2, names the rule and creates nothing', async () => {
    const dir = path.join(tmpDir(), 'db');
    for (const name of ['../escape', 'a b', 'x'.repeat(65)]) {
      const r = await runCli(['append', dir, name, '--key', 'id'], ndjson(events(0, 1)));
      expect(r.code, name).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`error: invalid table name ${JSON.stringify(name)}: use 1-64 letters, digits, '_' or '-'\n`);
    }
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('--columns naming a column twice exits 2 and creates nothing', async () => {
    const dir = path.join(tmpDir(), 'db');
    const r = await runCli(['append', dir, 'events', '--key', 'id', '--columns', 'id,id'], ndjson(events(0, 1)));
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error: Expected `--columns` to name each column once, got `id` twice in `id,id`\n' });
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('--columns without the --key column exits 2 and creates nothing', async () => {
    const dir = path.join(tmpDir(), 'db');
    const r = await runCli(['append', dir, 'events', '--key', 'id', '--columns', 'n,note'], ndjson(events(0, 1)));
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error: Expected `--columns` to include the key column `id`, got `n,note`\n' });
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('a duplicate column on an existing table is still a usage error, and writes nothing', async () => {
    const dir = tmpDir();
    await seed(dir, 'events', events(0, 2));
    const r = await runCli(['append', dir, 'events', '--columns', 'id,n,n'], ndjson(events(2, 3)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: Expected `--columns` to name each column once/);
    expect((await runCli(['count', dir, 'events'])).stdout).toBe('2\n');
  });
});
