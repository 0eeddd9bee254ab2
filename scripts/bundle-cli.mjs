// The CLI as a few files instead of ~55 (issue 16, "Start fast"): node's module loader costs about
// 0.7 ms a module, which a scanner or cron job that runs `sdnwal count` over and over pays every
// time. Runs after tsc (`npm run build`) and bundles dist/cli/main.js into dist/bundle/; commands
// stay separate chunks, loaded on demand as in dist/cli/. Packages and node's own modules stay
// imports. The library (`import('sdnwal')`) is dist/ itself and is not bundled.
//
// Files a bundled module finds beside its own (the compaction worker, the demo's scanner) are
// named relative to a directory one level below dist/, which is where the bundle lives and where
// those modules live in dist/ (see src/compaction/fold-thread.ts, src/cli/commands/demo.ts); the
// checks at the end fail the build when that stops being true.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const out = path.join(dist, 'bundle');

fs.rmSync(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: { cli: path.join(dist, 'cli', 'main.js') },
  platform: 'node',
  // Bare specifiers (packages, node:*) are loaded from node_modules as the library loads them.
  external: (id) => !id.startsWith('.') && !path.isAbsolute(id),
  logLevel: 'warn',
});
await bundle.write({ dir: out, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' });
await bundle.close();

for (const needed of [path.join(out, '..', 'compaction', 'compact-worker.js'), path.join(out, '..', 'cli', 'demo', 'scanner.js')]) {
  if (!fs.existsSync(needed)) throw new Error(`bundle-cli: ${path.relative(root, needed)} is missing; the bundled CLI would not find it`);
}
