// Throwaway nats-server processes on free loopback ports, each with its own store directory in a
// temporary folder: one JetStream node, or a 3-node cluster with routes (the shape of n1..n3.conf).
// Used by bench.mjs --start; stopped by pid.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on `port` (then JetStream needs a moment more: the caller's first request retries). */
async function listening(port, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), resolve(true)));
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
}

/** Start `size` nodes (1: a single node, 3: a cluster); resolves to { url, stop }. */
export async function startServers(size) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `sdnwal-nats-bench-${size}-`));
  const ports = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), route: await freePort() });
  const children = ports.map((p, i) => {
    const dir = path.join(root, `n${i + 1}`);
    fs.mkdirSync(dir);
    const lines = [`server_name: n${i + 1}`, `listen: 127.0.0.1:${p.client}`, `jetstream { store_dir: ${JSON.stringify(path.join(dir, 'store'))} }`];
    if (size > 1) {
      const routes = ports.filter((_, j) => j !== i).map((q) => `nats-route://127.0.0.1:${q.route}`);
      lines.push(`cluster { name: bench, listen: 127.0.0.1:${p.route}, routes: [${routes.join(', ')}] }`);
    }
    fs.writeFileSync(path.join(dir, 'server.conf'), lines.join('\n') + '\n');
    const log = fs.openSync(path.join(dir, 'server.log'), 'a');
    const child = spawn('nats-server', ['-c', path.join(dir, 'server.conf')], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    return child;
  });
  await Promise.all(ports.map((p) => listening(p.client)));
  return {
    url: ports.map((p) => `nats://127.0.0.1:${p.client}`).join(','),
    async stop() {
      await Promise.all(children.map((c) => new Promise((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        c.once('exit', resolve);
        c.kill('SIGTERM');
      })));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
