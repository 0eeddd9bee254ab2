// `sdnwal sdn check --portable`: the lines Simple's own SDN parser reads differently, text or --json.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../helpers/cli.js';
import { tmpDir } from '../../../helpers/tmp.js';

const OLD = 'meta:\n    table: "todos"\nmisc |id, "due date"|\n    1, "ctrl\\u0001char"\nn: 18446744073709551616\n';
const NEW = 'meta:\n    table_name: "todos"\nmisc |id, due-date|\n    1, "ctrl\u0001char"\nn: "18446744073709551616"\n';

function file(text: string): string {
  const p = path.join(tmpDir(), 'x.sdn');
  fs.writeFileSync(p, text);
  return p;
}

describe('sdnwal sdn check --portable', () => {
  it('prints file:line:column: message for each finding and exits 1', async () => {
    const p = file(OLD);
    const r = await runCli(['sdn', 'check', '--portable', p]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.slice(p.length + 1, l.indexOf(': ')))).toEqual(['2:5', '3:11', '4:13', '5:4']);
    expect(lines[0]).toMatch(/"table" is a keyword/);
    expect(r.stderr).toContain('4 place(s)');
    // Without --portable, check only parses, as before.
    expect(await runCli(['sdn', 'check', p])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('exits 0 and prints nothing for a portable file (stdin too)', async () => {
    expect(await runCli(['sdn', 'check', '--portable', file(NEW)])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await runCli(['sdn', 'check', '--portable', '-'], NEW)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('--json reports the findings on stdout', async () => {
    const p = file(OLD);
    const r = await runCli(['sdn', 'check', '--portable', '--json', p]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ file: p, ok: true, portable: false });
    expect(out.findings.map((f: { rule: string }) => f.rule)).toEqual(['keyword-name', 'quoted-name', 'escape', 'big-int']);
    expect(out.findings[2]).toMatchObject({ line: 4, column: 13, message: expect.stringContaining('\\u0001') });
    expect(JSON.parse((await runCli(['sdn', 'check', '--portable', '--json', file(NEW)])).stdout)).toEqual({ file: expect.any(String), ok: true, portable: true, findings: [] });
  });

  it('a parse error is reported as by check, exit 1', async () => {
    const r = await runCli(['sdn', 'check', '--portable', '--json', file('a: [1\n')]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'SDN_PARSE', line: 1 });
  });
});
