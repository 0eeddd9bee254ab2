/** `sdnwal recover`: make a crashed store whole again and say exactly what was found and done. */
import fs from 'node:fs';
import { SdnwalError } from '../../errors.js';
import { formatRecoveryReport, recover, type RecoveryProgress } from '../../recovery/index.js';
import type { RecoveryPolicy } from '../../store/options.js';
import { type Command, type CommandContext, EXIT_FAILURE, EXIT_OK, NotFoundError, UsageError, needPositionals, writeJson, writeLine, writeReport } from '../command.js';
import { describeError, errorObject, locateInStore } from '../errors.js';
import { createProgress } from '../util/progress.js';

const USAGE = 'sdnwal recover <dir> [--dry-run] [--salvage] [--strict] [--json]';

function policyOf(ctx: CommandContext): RecoveryPolicy {
  if (ctx.values.salvage && ctx.values.strict) throw new UsageError('--salvage and --strict exclude each other');
  return ctx.values.salvage ? 'salvage' : ctx.values.strict ? 'strict' : 'tolerate-tail';
}

async function run(ctx: CommandContext): Promise<number> {
  const [dir] = needPositionals(ctx, 1, 1, USAGE) as [string];
  const policy = policyOf(ctx);
  if (/^nats:\/\//i.test(dir)) throw new UsageError(`recover is for a store directory: a NATS store's servers keep and repair their own logs (see docs/nats.md); \`sdnwal verify ${dir}\` checks it`);
  if (!fs.existsSync(dir)) throw new NotFoundError(`no store at ${dir}`);
  const progress = createProgress({ stream: ctx.io.stderr, tty: ctx.tty, label: 'recover', unit: 'bytes scanned' });
  let report;
  try {
    report = await recover(dir, { dryRun: Boolean(ctx.values['dry-run']), policy, onProgress: (p: RecoveryProgress) => progress.update(p.bytesDone, p.bytesTotal) });
  } catch (err) {
    // Damage recovery will not repair under this policy: the one JSON answer keeps the report's
    // `ok`, with the error object every --json failure has (and the text on stderr, as always).
    if (ctx.values.json && err instanceof SdnwalError) {
      const info = describeError(err);
      writeLine(ctx.io.stderr, `error: ${info.text}`);
      writeJson(ctx.io.stdout, { ok: false, error: errorObject(info) });
      return info.exitCode;
    }
    throw locateInStore(err, dir);
  } finally {
    progress.finish();
  }
  writeReport(ctx, report, formatRecoveryReport);
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}

export const recoverCommand: Command = {
  name: 'recover',
  summary: 'repair a store after a crash and report what was found and done',
  usage: USAGE,
  help: `Runs the full recovery sequence on every table: removes stale temp files, finishes an
interrupted roll or snapshot swap, verifies the snapshot (falling back to the previous one
plus its log), checks the segments, and moves a torn tail to quarantine/ before cutting it.

options:
  --dry-run   report what would be done; change nothing
  --salvage   keep every valid frame around mid-log damage (damaged bytes are quarantined
              and padded over, each range reported)
  --strict    fail on any damage, even a torn tail
  --json      print the report as JSON

Exit 0 when the store is whole (or, with --dry-run, would be), 1 if damage could not be
repaired under the chosen policy (the message points at --salvage).`,
  options: {
    'dry-run': { type: 'boolean' },
    salvage: { type: 'boolean' },
    strict: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  run,
};
