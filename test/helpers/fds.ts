/** The files this process holds open (Linux /proc), for tests that check nothing is left open. */
import fs from 'node:fs';

/** `fd -> target` of every open descriptor, sorted; with `under`, only files below that path. */
export function openFds(under?: string): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      // libuv's one inotify descriptor (made by the first fs.watch, kept for the process).
      if (target === 'anon_inode:inotify' || (under !== undefined && !target.startsWith(under))) continue;
      out.push(`${fd} -> ${target}`);
    } catch {
      // The directory's own descriptor, closed by now.
    }
  }
  return out.sort();
}
