// Start-up cost (issue 16): wall time of `node bin/sdnwal.js count <dir> <table>` beside a bare `node -e 0`, and
// the time `import('sdnwal')` takes in a fresh process; medians of --runs (default 10), runs interleaved.
// Two tables of 10,000 rows: one compacted (count reads the snapshot's meta block, so the figure is start-up),
// the goal's; and one with 1,000 more rows logged above its snapshot (count also reads the log's keys).
// Usage: node bench/startup.mjs [--runs N] [--json] [--write]   (needs `npm run build`: it runs dist/)
//   --json   one JSON line on stdout (what bench/run.mjs reads)
//   --write  also put the figures in bench/results.md's "Start-up" section, without a full run
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startupSection, withStartupSection } from './report-md.mjs';
import { COLUMNS, KEY, makeRecords } from './workload.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const BIN = path.join(root, 'bin', 'sdnwal.js');
const DIST = path.join(root, 'dist', 'index.js');
const RESULTS = path.join(here, 'results.md');
/** A compacted table, and one with LOG_ROWS more rows logged above the same snapshot. */
const COMPACTED = 'compacted';
const LOGGED = 'logged';
const SNAPSHOT_ROWS = 10_000;
const LOG_ROWS = 1_000;
/** Issue 16's goals: count's wall time against a bare node start, and the import's time. */
const STARTUP_GOALS = { countVsNode: 1.5, importMs: 80 };

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const runs = Number(opts.runs);
if (!Number.isInteger(runs) || runs < 1) throw new TypeError(`Expected --runs to be an integer >= 1, got ${opts.runs}`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Wall milliseconds of one `node ...args` run (spawn to exit); throws if it fails. */
function wall(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  return { ms, stdout: r.stdout };
}

/** A store with the two tables. */
async function makeStore(dir) {
  const { openStore } = await import(pathToFileURL(DIST).href);
  const store = await openStore(dir, { sync: 'none' });
  try {
    for (const name of [COMPACTED, LOGGED]) {
      const table = await store.table(name, { key: KEY, columns: COLUMNS });
      await table.insertMany(makeRecords(0, SNAPSHOT_ROWS));
      await table.compact();
    }
    await (await store.table(LOGGED)).insertMany(makeRecords(SNAPSHOT_ROWS, LOG_ROWS));
  } finally {
    await store.close();
  }
}

/** Wall ms of `sdnwal count dir table`, checking what it printed. */
function count(dir, table, expected) {
  const c = wall([BIN, 'count', dir, table]);
  if (c.stdout.trim() !== String(expected)) throw new Error(`sdnwal count ${table} printed ${c.stdout.trim()}, expected ${expected}`);
  return c.ms;
}

// Measured inside the child, so node's own start is not counted: only the module graph's load and evaluation.
const IMPORT_SNIPPET = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(DIST).href)}); process.stdout.write(String(performance.now() - t));`;

async function measureStartup(n) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdnwal-bench-startup-'));
  try {
    await makeStore(dir);
    const bare = [];
    const compacted = [];
    const logged = [];
    const imports = [];
    // One warm-up of each (file cache), then the runs interleaved so drift on the machine hits all alike.
    wall(['-e', '0']);
    count(dir, COMPACTED, SNAPSHOT_ROWS);
    count(dir, LOGGED, SNAPSHOT_ROWS + LOG_ROWS);
    for (let i = 0; i < n; i++) {
      bare.push(wall(['-e', '0']).ms);
      compacted.push(count(dir, COMPACTED, SNAPSHOT_ROWS));
      logged.push(count(dir, LOGGED, SNAPSHOT_ROWS + LOG_ROWS));
      imports.push(Number(wall(['--input-type=module', '-e', IMPORT_SNIPPET]).stdout));
    }
    const r = {
      status: 'ok',
      runs: n,
      rows: SNAPSHOT_ROWS,
      logRows: LOG_ROWS,
      nodeMs: median(bare),
      countMs: median(compacted),
      countLoggedMs: median(logged),
      importMs: median(imports),
      goals: STARTUP_GOALS,
      loadAverage: os.loadavg().map((l) => l.toFixed(1)).join(', '),
      date: new Date().toISOString(),
    };
    r.countVsNode = r.countMs / r.nodeMs;
    r.countLoggedVsNode = r.countLoggedMs / r.nodeMs;
    return r;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (!fs.existsSync(DIST)) {
    process.stderr.write('startup bench: dist/index.js not built yet (npm run build): skipped\n');
    if (opts.json) process.stdout.write(JSON.stringify({ status: 'unavailable', reason: 'dist/index.js not built' }) + '\n');
    return;
  }
  const r = await measureStartup(runs);
  const f = (ms) => `${ms.toFixed(1)} ms`;
  const line = (label, ms, extra = '') => `  ${label.padEnd(32)} ${f(ms).padStart(9)}${extra}\n`;
  process.stderr.write(
    `start-up, median of ${runs} (sdnwal count of a ${r.rows}-row table):\n` +
      line('node -e 0', r.nodeMs) +
      line('sdnwal count, compacted', r.countMs, `  (${r.countVsNode.toFixed(2)}× node -e 0; goal ≤ ${STARTUP_GOALS.countVsNode}×)`) +
      line(`sdnwal count, ${r.logRows} rows logged`, r.countLoggedMs, `  (${r.countLoggedVsNode.toFixed(2)}× node -e 0)`) +
      line("import('sdnwal')", r.importMs, `  (goal ≤ ${STARTUP_GOALS.importMs} ms)`),
  );
  if (opts.write) {
    const md = fs.readFileSync(RESULTS, 'utf8');
    fs.writeFileSync(RESULTS, withStartupSection(md, startupSection(r, `node bench/startup.mjs ${process.argv.slice(2).join(' ')}`.trim())));
    process.stderr.write(`wrote the start-up section of ${path.relative(process.cwd(), RESULTS)}\n`);
  }
  if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
}

main().catch((err) => {
  process.stderr.write(`startup bench failed: ${err.stack ?? err}\n`);
  if (opts.json) process.stdout.write(JSON.stringify({ status: 'failed', error: String(err.message ?? err) }) + '\n');
  process.exitCode = 1;
});
