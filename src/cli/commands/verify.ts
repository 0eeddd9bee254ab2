/** `sdnwal verify`: check a store without changing it; exit 1 if anything is wrong. */
import fs from 'node:fs';
import { formatVerifyReport, verify } from '../../recovery/index.js';
import { type Command, type CommandContext, EXIT_FAILURE, EXIT_OK, NotFoundError, needPositionals, writeReport } from '../command.js';
import { locateInStore } from '../errors.js';
import { isNatsUrl } from '../../store/store.js';

const USAGE = 'sdnwal verify <dir> [--json]';

async function run(ctx: CommandContext): Promise<number> {
  const [dir] = needPositionals(ctx, 1, 1, USAGE) as [string];
  if (isNatsUrl(dir)) {
    const { formatVerifyNats, verifyNats } = await import('../../nats/cli.js');
    const r = await verifyNats(dir);
    writeReport(ctx, r, formatVerifyNats);
    return r.ok ? EXIT_OK : EXIT_FAILURE;
  }
  if (!fs.existsSync(dir)) throw new NotFoundError(`no store at ${dir}`);
  const report = await verify(dir).catch((err: unknown) => {
    throw locateInStore(err, dir);
  });
  writeReport(ctx, report, formatVerifyReport);
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check snapshots and logs without changing anything',
  usage: USAGE,
  help: `Checks every table: the snapshot parses and its meta, row count and CRC match; the
segments above it are contiguous, their headers match and every frame's CRCs pass.
Read-only: takes no lock and repairs nothing (use \`sdnwal recover\` for that).
Exit 0 when clean, 1 when anything was found. --json prints the report as JSON.`,
  options: { json: { type: 'boolean' } },
  run,
};
