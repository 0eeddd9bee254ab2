// Renders a run's summary as text: the stdout table and bench/results.md.
import { checkGoals } from './goals.mjs';
import { spread, us } from './phases.mjs';
import { CHAIN_REPEAT_LIMIT_S, SCENARIOS } from './scenarios.mjs';
import { cpuRatio, ratio, referenceFor } from './summary.mjs';

const int = (n) => Math.round(n).toLocaleString('en-US');
const x = (r) => (r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toPrecision(2)) + '×';
const NOT_DURABLE = '†';

/** One cell: "12,345/s (0.85×)", or why there is no figure. */
function cell(summary, contender, id) {
  const e = summary[contender]?.[id];
  if (!e) return '';
  if (e.status === 'unavailable') return 'n/a';
  if (e.status === 'unsupported') return '—';
  if (e.status !== 'ok') return `**${e.status.toUpperCase()}**`;
  const r = ratio(summary, contender, id);
  return `${int(e.rate)}/s${e.notDurable ? NOT_DURABLE : ''}${r === null ? '' : ` (${x(r)})`}`;
}

function referenceLabel(id) {
  const ref = referenceFor(id);
  return ref.contender === 'bare-log' && ref.scenario === id ? '' : ` [vs ${ref.contender} ${ref.scenario}]`;
}

/** A markdown table: one row per scenario, one column per contender. */
export function rateTable(summary, contenders, scenarios) {
  const head = `| scenario | ${contenders.join(' | ')} |\n|---|${contenders.map(() => '---:').join('|')}|`;
  const rows = scenarios.map(
    (id) => `| ${id} ${SCENARIOS[id].title}${referenceLabel(id)} | ${contenders.map((c) => cell(summary, c, id)).join(' | ')} |`,
  );
  return [head, ...rows].join('\n');
}

function flushTable(summary, contenders, scenarios) {
  const ids = scenarios.filter((id) => SCENARIOS[id].kind === 'write');
  const head = `| scenario | ${contenders.join(' | ')} |\n|---|${contenders.map(() => '---:').join('|')}|`;
  const rows = ids.map((id) => {
    const cells = contenders.map((c) => {
      const v = summary[c]?.[id]?.flushesPerCall;
      return typeof v === 'number' ? v.toFixed(2) : '';
    });
    return `| ${id} | ${cells.join(' | ')} |`;
  });
  return [head, ...rows].join('\n');
}

function extrasTable(summary, contenders) {
  const rows = contenders.map((c) => {
    const C = summary[c]?.C;
    const F = summary[c]?.F;
    const replay = C?.status === 'ok' && C.reopenRate ? `${int(C.reopenRate)}` : '';
    const rss = F?.status === 'ok' && F.maxRssMB ? `${Math.round(F.maxRssMB)}` : '';
    return `| ${c} | ${replay} | ${rss} |`;
  });
  return ['| contender | reopen + count of C\'s store, entries/s | peak RSS during F, MB |', '|---|---:|---:|', ...rows].join('\n');
}

/** The durable one-record-per-call scenarios of this run: where CPU per append is comparable. */
const cpuScenarios = (scenarios) => scenarios.filter((id) => SCENARIOS[id].kind === 'write' && SCENARIOS[id].durable && SCENARIOS[id].perCall === 1);

/** "85 µs (1.20×)": CPU per record and its ratio to the bare log's, or '' without a figure. */
function cpuCell(summary, contender, id) {
  const v = summary[contender]?.[id]?.cpuUsPerRecord;
  if (typeof v !== 'number') return '';
  const r = cpuRatio(summary, contender, id);
  return `${us(v)} µs${r === null ? '' : ` (${x(r)})`}`;
}

function cpuTable(summary, contenders, scenarios) {
  const head = `| scenario | ${contenders.join(' | ')} |\n|---|${contenders.map(() => '---:').join('|')}|`;
  const rows = cpuScenarios(scenarios).map((id) => `| ${id} | ${contenders.map((c) => cpuCell(summary, c, id)).join(' | ')} |`);
  return [head, ...rows].join('\n');
}

/** sdnwal's append phases per write scenario, or why there are none. */
function phasesTable(summary, scenarios) {
  const ids = scenarios.filter((id) => SCENARIOS[id].kind === 'write' && summary.sdnwal?.[id]?.status === 'ok');
  if (!ids.some((id) => summary.sdnwal[id].phases)) {
    return ids.length ? "Not measured: dist/'s Table has no `appendPhases()` yet." : 'Not measured: sdnwal ran no write scenario.';
  }
  const rows = ids.map((id) => {
    const p = summary.sdnwal[id].phases;
    if (!p) return `| ${id} | n/a ${'| '.repeat(8)}|`;
    const perBatch = p.appends && p.batches ? (p.appends / p.batches).toFixed(1) : '?';
    return `| ${id} | ${perBatch} | ${us(p.encodeUs)} | ${spread(p.waitUs)} | ${spread(p.heldUs)} | ${us(p.writeUs)} | ${us(p.publishUs)} | ${us(p.syncUs)} | ${us(p.ackUs)} |`;
  });
  return [
    '| scenario | appends per batch | encode | lock wait p50/p99/max | lock held p50/p99/max | write | publish | fdatasync | ack |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/** A goal's measured value or target in its unit. */
function inUnit(v, unit) {
  if (unit === '×') return x(v);
  return unit === 'ms' ? `${v.toFixed(2)} ms` : `${us(v)} µs`;
}

const targetText = (g) => `${g.atMost ? '≤' : '≥'} ${g.unit === '×' ? `${g.target}×` : `${g.target} ${g.unit}`}`;

function goalsTable(summary) {
  const rows = checkGoals(summary).map(
    (g) => `| ${g.goal} | ${g.value === null ? '' : inUnit(g.value, g.unit)} | ${targetText(g)} | ${g.verdict} |`,
  );
  return ['| goal | measured | target | |', '|---|---:|---:|---|', ...rows].join('\n');
}

function sdnSection(sdn) {
  if (!sdn) return 'Not run (--skip-sdn).';
  if (sdn.status !== 'ok') return `Not measured: ${sdn.reason ?? sdn.error}.`;
  const rows = sdn.tasks.map((t) => `| ${t.name} | ${t.ms.toFixed(2)} | ${t.mbPerS.toFixed(1)} |`);
  return [
    `bench/sdn.bench.mjs (tinybench): one ${sdn.rows.toLocaleString('en-US')}-row named table, ${sdn.sdnBytes.toLocaleString('en-US')} B as SDN,`,
    `${sdn.jsonBytes.toLocaleString('en-US')} B as JSON; MB/s of each format's own text. SDN parse takes ${x(1 / sdn.parseVsJson)} JSON.parse's`,
    `time, SDN stringify ${x(1 / sdn.stringifyVsJson)} JSON.stringify's.`,
    '',
    '| task | ms per table | MB/s |',
    '|---|---:|---:|',
    ...rows,
  ].join('\n');
}

function latencySection(l) {
  if (!l) return 'Not run (--skip-latency).';
  if (l.status !== 'ok') return `Not measured: ${l.reason ?? l.error ?? `count ${l.counted}, expected ${l.expected}`}.`;
  const ms = (v) => v.toFixed(2);
  const row = (name, s) => `| ${name} | ${s.calls.toLocaleString('en-US')} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`;
  return [
    `bench/compaction-latency.mjs: one process appends durably (\`sync: 'always'\`, 1 record per call, awaited) to a`,
    `table whose snapshot holds ${l.rows.toLocaleString('en-US')} rows, with ${l.logRows.toLocaleString('en-US')} more logged above it; first alone, then while`,
    `the cron job (\`sdnwal compact DIR\`, its own process) compacts the table, then while \`table.compact()\` runs in the`,
    `writer's own process (after as many rows were logged again). Every record was counted afterwards.`,
    '',
    '| the writer, while | appends | p50 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|',
    row('nothing else runs', l.baseline),
    row(`the cron job compacts (${l.cronSeconds.toFixed(1)} s)`, l.cron),
    row(`\`table.compact()\` runs in its process (${l.inProcessSeconds.toFixed(1)} s)`, l.inProcess),
  ].join('\n');
}

export const STARTUP_HEADING = '## Start-up (issue 16)';

/** bench/startup.mjs's figures: `sdnwal count` and `import('sdnwal')` beside a bare node start, with the goals. */
export function startupSection(st, command = 'node bench/startup.mjs') {
  if (!st) return 'Not run (--skip-startup).';
  if (st.status !== 'ok') return `Not measured: ${st.reason ?? st.error}.`;
  const ms = (v) => `${v.toFixed(1)} ms`;
  const verdict = (ok) => (ok ? 'reached' : 'missed');
  const rows = st.rows.toLocaleString('en-US');
  return [
    `\`${command}\`: wall time from spawn to exit of \`node bin/sdnwal.js count DIR TABLE\` beside a bare`,
    `\`node -e 0\`, and the time \`await import('sdnwal')\` (dist/index.js) takes inside a fresh process; medians of`,
    `${st.runs} runs, interleaved. Both tables hold ${rows} rows: the compacted one is counted from its snapshot's meta`,
    `block, so its figure is start-up (the goal's); the other has ${st.logRows.toLocaleString('en-US')} more rows logged above its snapshot, whose`,
    `keys count also reads. Measured ${st.date}, load average ${st.loadAverage}.`,
    '',
    '| | median | vs `node -e 0` | target | |',
    '|---|---:|---:|---:|---|',
    `| \`node -e 0\` | ${ms(st.nodeMs)} | | | |`,
    `| \`sdnwal count\`, compacted table | ${ms(st.countMs)} | ${x(st.countVsNode)} | ≤ ${st.goals.countVsNode}× | ${verdict(st.countVsNode <= st.goals.countVsNode)} |`,
    `| \`sdnwal count\`, ${st.logRows.toLocaleString('en-US')} rows logged | ${ms(st.countLoggedMs)} | ${x(st.countLoggedVsNode)} | | |`,
    `| \`import('sdnwal')\` | ${ms(st.importMs)} | | ≤ ${st.goals.importMs} ms | ${verdict(st.importMs <= st.goals.importMs)} |`,
  ].join('\n');
}

/** `md` (a results.md) with `section` as its start-up section: in place of the one it has, else before the goals. */
export function withStartupSection(md, section) {
  const block = `${STARTUP_HEADING}\n\n${section}\n\n`;
  const at = md.indexOf(`${STARTUP_HEADING}\n`);
  let out;
  if (at >= 0) {
    const next = md.indexOf('\n## ', at + STARTUP_HEADING.length);
    out = md.slice(0, at) + block + (next >= 0 ? md.slice(next + 1) : '');
  } else {
    const goals = md.indexOf("\n## sdnwal's goals");
    out = goals >= 0 ? md.slice(0, goals + 1) + block + md.slice(goals + 1) : `${md.trimEnd()}\n\n${block}`;
  }
  return `${out.trimEnd()}\n`;
}

/** The whole bench/results.md. */
export function resultsMarkdown({ summary, contenders, scenarios, facts, command, runs, quick, seconds, labels, failed, sdn, latency, startup, ranOnce }) {
  const m = facts;
  return `# sdnwal benchmarks${quick ? ' — QUICK RUN (counts ÷ 10: a smoke run, not the published figures)' : ''}

Records per second (median of ${runs} run${runs === 1 ? '' : 's'}, each on a fresh store), and in brackets the
ratio to the bare frame log on the same scenario (higher is better; F is compared with nedb, as the bare log
cannot compact, and Ec with the bare log's E). Every scenario ran in its own Node process; before a write
scenario's timed phase each contender warmed up with a fifth of its calls (at most 300) on a scratch store of its
own, deleted before timing, so the figures are steady state rather than JIT warm-up; after each one the
store was reopened and counted${failed ? ': **SOME SCENARIOS FAILED OR LOST RECORDS** (see the table).' : ', and every count matched.'}

![ratios to the bare log](${quick ? 'results.quick.svg' : 'results.svg'})

## Machine

| | |
|---|---|
| CPU | ${m.cpu}, ${m.cores} cores |
| memory | ${m.memoryGiB} GiB |
| Node | ${m.node} |
| OS | ${m.os} |
| store directory | ${m.tmpdir} (${m.fileSystem}${m.device ? `, device ${m.device}` : ''}) |
| date | ${m.date} |
| load average (1, 5, 15 min) at the end | ${m.loadAverage} (on ${m.cores} cores) |
| whole run | ${Math.round(seconds)} s |

Command: \`${command}\`

## Records per second

${rateTable(summary, contenders, scenarios)}

${contenders.map((c) => `- **${c}**: ${labels[c]}`).join('\n')}
- ${NOT_DURABLE} not durable: nedb has no durable mode (it never fsyncs), so its durable-scenario figures are
  for writes that a power loss can still take.
- — : not supported (classic-level and nedb allow one process per store, so no M or M16; the bare log cannot compact).
- n/a: not available in this build (sdnwal's store API not in dist/ yet).${ranOnce.map((o) => `
- ${o.contender}: its D → E → F → Ec chain took ${Math.round(o.seconds)} s in run 1, over the ${CHAIN_REPEAT_LIMIT_S} s limit, so
  those four figures are from one run (the others are medians of ${runs}).`).join('')}

## Device flushes per call

From /proc/diskstats ("flush requests completed") of ${m.device ?? 'the device'} over each timed phase, divided by
the calls made. The counter is device-wide, so other I/O on the machine during the run counts too.

${flushTable(summary, contenders, scenarios)}

## M/M16: CPU per append

\`process.cpuUsage()\` (user + system, every thread of the process) over the timed phase, divided by the records;
for M and M16 measured in each writer process and summed. In brackets the ratio to the bare log's on the same
scenario (lower is better). A and G (one process) are there for comparison.

${cpuTable(summary, contenders, scenarios)}

## sdnwal's append phases

From \`table.appendPhases()\` in each writer process after its timed phase (the warm-up wrote another store):
encode, write, publish, fdatasync and ack are means per batch, lock wait and held are p50/p99/max per take of the
table lock, all in µs. For M and M16 the writer processes are merged: means weighted by batches, percentiles the
largest process's (percentiles of separate samples cannot be combined, so this is the conservative figure).
Each figure is the median over runs.

${phasesTable(summary, scenarios)}

## Recovery and compaction memory

${extrasTable(summary, contenders)}

## Writers' latency during compaction (sdnwal)

${latencySection(latency)}

## SDN vs JSON

${sdnSection(sdn)}

${STARTUP_HEADING}

${startupSection(startup)}

## sdnwal's goals (issues 8 and 13)

${goalsTable(summary)}

## Scenarios

${scenarios.map((id) => `- **${id}**: ${SCENARIOS[id].title}.`).join('\n')}

Records: a key plus 5 strings of 12–18 characters (~150 bytes as JSON), identical for every contender
(bench/workload.mjs). Timing covers the calls until the last acknowledgement (not the open, not the close).
`;
}

/** Rows of text as aligned columns: the first left-aligned, the others right-aligned. */
function aligned(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ')).join('\n');
}

/** The plain-text tables printed on stdout: records/s, CPU per durable append, and sdnwal's goals. */
export function stdoutTable(summary, contenders, scenarios) {
  const rates = [['scenario', ...contenders]];
  for (const id of scenarios) rates.push([id, ...contenders.map((c) => cell(summary, c, id).replace(/\*\*/g, ''))]);
  const out = [aligned(rates)];
  const cpuIds = cpuScenarios(scenarios);
  if (cpuIds.length) {
    const cpu = [['CPU per append', ...contenders]];
    for (const id of cpuIds) cpu.push([id, ...contenders.map((c) => cpuCell(summary, c, id))]);
    out.push(aligned(cpu));
  }
  if (contenders.includes('sdnwal')) {
    const goals = checkGoals(summary).map((g) => `  ${g.verdict.padEnd(12)} ${g.goal}${g.value === null ? '' : `: ${inUnit(g.value, g.unit)}`}`);
    out.push(['sdnwal goals:', ...goals].join('\n'));
  }
  return out.join('\n\n');
}
