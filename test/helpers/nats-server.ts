/**
 * Real nats-server processes for the NATS tests: one node (`-js -sd <dir>`) or a 3-node cluster
 * with routes (generated config files), each on free loopback ports with its own store directory.
 * Started and stopped by pid; a node can be killed with SIGKILL and restarted for fault tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

/** The nats-server binary: $NATS_SERVER_BIN, else the first on PATH; undefined when there is none. */
export function natsServerBinary(): string | undefined {
  const override = process.env.NATS_SERVER_BIN;
  if (override) return fs.existsSync(override) ? override : undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, 'nats-server');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (bound and released: another process could take it meanwhile, rarely). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export class NatsNode {
  private child: ChildProcess | undefined;
  private running = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** Start the process (its output goes to <dir>/server.log). */
  start(): void {
    if (this.pid) throw new Error(`${this.name} is running`);
    const bin = natsServerBinary();
    if (!bin) throw new Error('nats-server is not on PATH');
    const log = fs.openSync(path.join(this.dir, 'server.log'), 'a');
    const child = spawn(bin, this.args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    live.add(child);
    this.running = true;
    this.exited = new Promise((resolve) => child.once('exit', () => {
      this.running = false;
      live.delete(child);
      resolve();
    }));
    this.child = child;
  }

  /** SIGKILL, as a crash: nothing is flushed. */
  async kill9(): Promise<void> {
    if (this.pid) process.kill(this.pid, 'SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const pid = this.pid;
    if (!pid) return;
    process.kill(pid, 'SIGTERM');
    const t = setTimeout(() => this.pid && process.kill(this.pid, 'SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }

  log(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }
}

/**
 * Wait until JetStream answers through `urls`; with `replicas`, until a stream of that many
 * replicas can be placed (a cluster: a meta leader is elected and knows every peer).
 */
export async function waitForJetStream(urls: string[], timeoutMs = 20_000, replicas = 1): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const nc = await connect({ servers: urls, timeout: 1000, reconnect: false });
      try {
        const jsm = await jetstreamManager(nc, { timeout: 1000 });
        await jsm.getAccountInfo();
        if (replicas > 1) {
          const name = `probe_${process.pid}_${Date.now()}`;
          await jsm.streams.add({ name, subjects: [`${name}.x`], num_replicas: replicas });
          await jsm.streams.delete(name);
        }
        return;
      } finally {
        await nc.close();
      }
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`JetStream not ready at ${urls.join(',')} within ${timeoutMs} ms: ${(last as Error)?.message}`);
}

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface NatsSingle {
  node: NatsNode;
  url: string;
  stop(): Promise<void>;
}

/** One JetStream node on a free port with its own store directory. */
export async function startNatsServer(): Promise<NatsSingle> {
  const dir = tempDir('sdnwal-nats-1-');
  const port = await freePort();
  const node = new NatsNode('n1', port, dir, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', path.join(dir, 'store'), '-n', 'n1']);
  node.start();
  await waitForJetStream([node.url]);
  return {
    node,
    url: node.url,
    async stop() {
      await node.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** All nodes' URLs, comma-separated (the store URL form). */
  url: string;
  stop(): Promise<void>;
}

/** A `size`-node JetStream cluster with routes, from generated config files. */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const root = tempDir('sdnwal-nats-cluster-');
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort() })));
  const nodes = ports.map((p, i) => {
    const name = `n${i + 1}`;
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    const routes = ports.filter((_, j) => j !== i).map((q) => `nats-route://127.0.0.1:${q.route}`);
    const conf = [
      `server_name: ${name}`,
      `listen: 127.0.0.1:${p.client}`,
      'jetstream {',
      `  store_dir: ${JSON.stringify(path.join(dir, 'store'))}`,
      '  max_memory_store: 256MB',
      '  max_file_store: 2GB',
      '}',
      'cluster {',
      '  name: sdnwal-test',
      `  listen: 127.0.0.1:${p.route}`,
      `  routes: [${routes.join(', ')}]`,
      '}',
      '',
    ].join('\n');
    const file = path.join(dir, 'server.conf');
    fs.writeFileSync(file, conf);
    return new NatsNode(name, p.client, dir, ['-c', file]);
  });
  for (const n of nodes) n.start();
  await waitForJetStream(nodes.map((n) => n.url), 30_000, size);
  return {
    nodes,
    url: nodes.map((n) => n.url).join(','),
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
