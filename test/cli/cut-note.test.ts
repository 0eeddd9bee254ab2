/** After recovery cut a torn tail, the read commands say so once on stderr (until a compaction absorbs that log). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

describe('read commands after recovery cut the log', () => {
  it('count, get, dump and tail print one note on stderr; stdout is unchanged; after a compaction, none', async () => {
    const dir = tmpDir();
    const s = await openStore(dir);
    const t = await s.table('t', { key: 'id' });
    await t.insert({ id: 'a' });
    await s.close();
    const wal = path.join(dir, 't.wal');
    const seg = path.join(wal, fs.readdirSync(wal).sort().at(-1)!);
    fs.appendFileSync(seg, Buffer.from([9, 0, 0, 0, 1, 2, 3])); // a dead writer's torn frame
    const s2 = await openStore(dir); // recovery cuts it into quarantine/
    await s2.close();
    for (const argv of [['count', dir, 't'], ['get', dir, 't', 'a'], ['dump', dir, 't'], ['tail', dir, 't']]) {
      const r = await runCli(argv);
      expect(r.code, r.stderr).toBe(0);
      const notes = r.stderr.split('\n').filter((l) => l.startsWith('note: recovery cut'));
      expect(notes, argv.join(' ')).toHaveLength(1);
      expect(notes[0]).toContain('7 byte(s)');
      expect(r.stdout).not.toContain('note:');
    }
    const quiet = await runCli(['count', dir, 't', '--json']);
    expect(JSON.parse(quiet.stdout)).toEqual({ table: 't', count: 1 });
    expect((await runCli(['compact', dir])).code).toBe(0);
    const after = await runCli(['count', dir, 't']);
    expect(after.stderr).not.toContain('note: recovery cut');
  });
});
