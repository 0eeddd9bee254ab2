// Start-up (issue 16, "Start fast"): a CLI command loads its own module and not the others', and
// the modules that validate entries and hold the Simple schemas do not load zod until asked to.
// The modules a process loads are seen through a module-loader hook (ESM imports only: zod's lazy
// `require` is not seen, which is the point).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commands, loadAllCommands } from '../../src/cli/commands.js';
import { mainHelp } from '../../src/cli/main.js';
import { buildLibrary } from '../helpers/build-wal.js';
import { ndjson } from '../helpers/seed.js';
import { tmpDir } from '../helpers/tmp.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'sdnwal.js');
const DIST = path.dirname(buildLibrary());

/** Prints `LOADED <url>` on stderr for every ESM module the process loads. */
const HOOKS = `import fs from 'node:fs'; export async function load(url, context, next) { fs.writeSync(2, 'LOADED ' + url + '\\n'); return next(url, context); }`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

/** Run node with `args`; the modules it loaded (dist/ files relative to dist/, packages by their path from node_modules/). */
function loaded(args: string[], input = ''): { status: number | null; stdout: string; modules: string[] } {
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, ...args], { encoding: 'utf8', input });
  const urls = [...r.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!);
  const distUrl = pathToFileURL(DIST).href + '/';
  const modules = urls.map((u) => (u.startsWith(distUrl) ? u.slice(distUrl.length) : u.replace(/^.*\/node_modules\//, 'node_modules/')));
  return { status: r.status, stdout: r.stdout, modules };
}

describe('commands are loaded on demand', () => {
  it('the registry names each command as its module does, and --help lists every one', async () => {
    const loadedCommands = await loadAllCommands();
    expect(loadedCommands.map((c) => c.name)).toEqual(commands.map((c) => c.name));
    const help = await mainHelp();
    for (const c of loadedCommands) expect(help).toContain(`  ${c.name.padEnd(9)} ${c.summary}\n`);
  });

  it('`sdnwal count` loads the count command and no other command, nor the demo or the SDN tools', () => {
    const dir = tmpDir();
    const append = spawnSync(process.execPath, [BIN, 'append', dir, 'events', '--key', 'id'], { encoding: 'utf8', input: ndjson([{ id: 'a' }, { id: 'b' }]) });
    expect(append.status).toBe(0);
    // The CLI's modules as tsc built them (dist/cli/main.js), one module each.
    const main = pathToFileURL(path.join(DIST, 'cli/main.js')).href;
    const r = loaded(['--input-type=module', '-e', `const { cli } = await import('${main}');
process.exitCode = await cli(process.argv.slice(1), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });`, 'count', dir, 'events']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('2');
    expect(r.modules).toContain('cli/commands/count.js');
    expect(r.modules.filter((m) => m.startsWith('cli/commands/'))).toEqual(['cli/commands/count.js']);
    expect(r.modules.filter((m) => m.startsWith('cli/demo/'))).toEqual([]);
    expect(r.modules.filter((m) => m.startsWith('sdn/document'))).toEqual([]);
  });

  it('bin/sdnwal.js runs the bundled CLI: `count` loads a few of its files, not those of other commands', () => {
    const dir = tmpDir();
    expect(spawnSync(process.execPath, [BIN, 'append', dir, 'events', '--key', 'id'], { encoding: 'utf8', input: ndjson([{ id: 'a' }]) }).status).toBe(0);
    // Compacted: the count a scanner or cron job runs most, answered from the snapshot's meta.
    expect(spawnSync(process.execPath, [BIN, 'compact', dir, 'events']).status).toBe(0);
    const r = loaded([BIN, 'count', dir, 'events']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('1');
    const bundled = r.modules.filter((m) => m.startsWith('bundle/'));
    expect(bundled).toContain('bundle/cli.js');
    expect(bundled.some((m) => /^bundle\/count-[\w-]+\.js$/.test(m))).toBe(true);
    expect(bundled.filter((m) => /^bundle\/(append|demo|dump|recover|verify|compact)-/.test(m))).toEqual([]);
    // Nothing of the unbundled CLI or library is loaded beside the bundle.
    expect(r.modules.filter((m) => !m.startsWith('bundle/') && !m.startsWith('node:') && !m.startsWith('node_modules/') && !m.endsWith('bin/sdnwal.js'))).toEqual([]);
    // Ten today (56 modules unbundled): a chunk more or less is fine, the whole CLI is not.
    expect(bundled.length).toBeLessThanOrEqual(12);
  });

  it('the bundled CLI\'s `compact` folds in the worker thread of dist/compaction/, as the library does', () => {
    const dir = tmpDir();
    expect(spawnSync(process.execPath, [BIN, 'append', dir, 'events', '--key', 'id'], { encoding: 'utf8', input: ndjson([{ id: 'a' }, { id: 'b' }]) }).status).toBe(0);
    const r = loaded([BIN, 'compact', dir, 'events']);
    expect(r.status).toBe(0);
    expect(r.modules).toContain('compaction/compact-worker.js');
  });

  it('the log entry codec and the Simple schemas load zod only when a schema is used', () => {
    const script = (body: string) => ['--input-type=module', '-e', body];
    const entry = pathToFileURL(path.join(DIST, 'wal/entry.js')).href;
    const schemas = pathToFileURL(path.join(DIST, 'store/schemas.js')).href;
    const quiet = loaded(script(`const e = await import('${entry}'); await import('${schemas}');
const w = { operation: 'insert', rows: [{ key: 'a', values: { n: 1 } }], timestamp: 0, synced: 0 };
if (e.decodeEntry(e.encodeEntry(w)).rows[0].key !== 'a') process.exit(3);`));
    expect(quiet.status).toBe(0);
    expect(quiet.modules.filter((m) => m.startsWith('node_modules/zod/'))).toEqual([]);
    // Using a schema works (zod is then loaded, through require).
    const used = spawnSync(process.execPath, script(`const { TodoSchema } = await import('${schemas}');
process.stdout.write(String(TodoSchema.safeParse({ id: 't' }).success));`), { encoding: 'utf8' });
    expect(used.stdout).toBe('false');
  });

  it('import(\'sdnwal\'), opening a store and writing and counting a table without a schema never load zod', () => {
    const dir = tmpDir();
    const index = pathToFileURL(path.join(DIST, 'index.js')).href;
    const r = loaded(['--input-type=module', '-e', `import { createRequire } from 'node:module';
const { openStore } = await import('${index}');
const store = await openStore(${JSON.stringify(dir)});
const t = await store.table('t', { key: 'id', columns: ['id', 'n'] });
await t.insert({ id: 'a', n: 1 });
const n = await t.count();
await store.close();
const required = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/zod/'));
process.stdout.write(n + ' ' + required.length);`]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('1 0');
    expect(r.modules.filter((m) => m.startsWith('node_modules/zod/'))).toEqual([]);
  });
});
