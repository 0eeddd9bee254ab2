/**
 * Build dist/ once before the suite: multi-process and CLI tests run real child processes on
 * the compiled package, as users do. Type errors are printed but do not stop the run (tsc
 * still emits; `npm run build` and the typecheck script are where they fail).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`global setup: tsc reported errors (dist/ built anyway):\n${r.stdout}${r.stderr}`);
  // bin/sdnwal.js runs the bundled CLI (dist/bundle/), made from what tsc just built.
  const b = spawnSync(process.execPath, [path.join(root, 'scripts/bundle-cli.mjs')], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`global setup: bundling the CLI failed:\n${b.stdout}${b.stderr}`);
}
