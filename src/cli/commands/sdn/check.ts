/**
 * `sdnwal sdn check <file|-> [--portable]`: does the file parse? Exit 0, or the parse error and
 * exit 1. With --portable, also every line Simple's SDN parser would read differently (exit 1 if any).
 */
import { SdnParseError } from '../../../errors.js';
import { checkPortable, parse, type PortableFinding } from '../../../sdn/index.js';
import { type Command, EXIT_FAILURE, EXIT_OK, needPositionals, writeJson, writeLine } from '../../command.js';
import { readSource } from './input.js';

const usage = 'sdnwal sdn check <file|-> [--portable] [--json]';

export const checkCommand: Command = {
  name: 'check',
  summary: 'parse a file; exit 0 if it reads, else print the error and exit 1',
  usage,
  help: [
    'Prints nothing when the file reads. A parse error goes to stderr as',
    '`error: <message> at line L, column C` with the source line and a caret.',
    '',
    'options:',
    "  --portable  also report, one line each (`file:line:column: message`), what the Simple",
    "              language's own SDN parser reads differently: quoted or keyword names, names",
    '              outside [A-Za-z_][A-Za-z0-9_./-]*, escapes other than \\n \\t \\r \\\\ \\", integers',
    '              beyond 64 bits; exit 1 when there is any (docs/sdn.md, "Portable output")',
    '  --json      print {"file","ok":true} or {"file","ok":false,"code","line","column","message"} on stdout;',
    '              with --portable, {"file","ok":true,"portable":true|false,"findings":[{"line","column","rule","message"}]}',
  ].join('\n'),
  options: { json: { type: 'boolean' }, portable: { type: 'boolean' } },
  async run(ctx) {
    const [file] = needPositionals(ctx, 1, 1, usage);
    const text = await readSource(file, ctx.io.stdin);
    let findings: PortableFinding[] = [];
    try {
      if (ctx.values.portable) findings = checkPortable(text);
      else parse(text);
    } catch (e) {
      // Without --json the CLI's error reporter prints the message and the caret excerpt.
      if (!(e instanceof SdnParseError) || !ctx.values.json) throw e;
      writeJson(ctx.io.stdout, { file, ok: false, code: e.code, line: e.line, column: e.column, message: e.message });
      return EXIT_FAILURE;
    }
    if (!ctx.values.portable) {
      if (ctx.values.json) writeJson(ctx.io.stdout, { file, ok: true });
      return EXIT_OK;
    }
    if (ctx.values.json) {
      writeJson(ctx.io.stdout, { file, ok: true, portable: findings.length === 0, findings: findings.map(({ line, column, rule, message }) => ({ line, column, rule, message })) });
    } else {
      for (const f of findings) writeLine(ctx.io.stdout, `${file}:${f.line}:${f.column}: ${f.message}`);
      if (findings.length > 0) writeLine(ctx.io.stderr, `${findings.length} place(s) Simple's SDN parser reads differently`);
    }
    return findings.length === 0 ? EXIT_OK : EXIT_FAILURE;
  },
};
