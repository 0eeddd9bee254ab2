// Read commands on a store holding a plain SDN file (the Simple project's todo_db.sdn) that no
// sdnwal process has opened yet: the key defaults to `id`, and nothing is created.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const corpus = path.resolve(import.meta.dirname, '../fixtures/sdn/corpus');

describe('read commands on an adopted file', () => {
  it('count and get work without --key and create nothing', async () => {
    const dir = tmpDir();
    fs.copyFileSync(path.join(corpus, 'doc__todo__todo_db.sdn'), path.join(dir, 'todo_db.sdn'));
    const c = await runCli(['count', dir, 'todo_db']);
    expect(c.code, c.stderr).toBe(0);
    expect(Number(c.stdout.trim())).toBeGreaterThan(50);
    const g = await runCli(['get', dir, 'todo_db', '5', '--json']);
    expect(g.code, g.stderr).toBe(0);
    expect(JSON.parse(g.stdout)).toMatchObject({ id: 5, keyword: 'TODO' });
    expect(fs.readdirSync(dir)).toEqual(['todo_db.sdn']);
  });
});
