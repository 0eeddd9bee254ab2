// Facts about the machine a run measured, for the report: CPU, cores, memory, Node, file system, device.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { deviceName } from './diskstats.mjs';

function fileSystemType(dir) {
  try {
    return execFileSync('df', ['-T', dir], { encoding: 'utf8' }).trim().split('\n').at(-1).split(/\s+/)[1];
  } catch {
    try {
      return execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  }
}

/** Everything the report states about where and when the numbers were taken. */
export function machineFacts(dir) {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} (${process.arch})`,
    tmpdir: dir,
    fileSystem: fileSystemType(dir),
    device: deviceName(dir),
    date: new Date().toISOString(),
    // Other work on the machine slows every contender and makes the figures noisy: the report says how busy it was.
    loadAverage: os.loadavg().map((l) => l.toFixed(1)).join(', '),
  };
}
