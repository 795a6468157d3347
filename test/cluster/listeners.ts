/**
 * Listening TCP sockets as `ss` prints them, and the pids of the services the cluster script
 * started natively: what the loopback-only checks of the cluster tests read.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Listener {
  address: string;
  port: number;
  pid: number | null;
}

/** Every listening TCP socket on this machine, from `ss -ltnpH`. */
export function listeners(): Listener[] {
  const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const local = line.trim().split(/\s+/)[3];
      const colon = local.lastIndexOf(':');
      const pid = /pid=(\d+)/.exec(line);
      return {
        address: local.slice(0, colon),
        port: Number(local.slice(colon + 1)),
        pid: pid ? Number(pid[1]) : null,
      };
    });
}

export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  return a === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(a);
}

/** Pids of the services the cluster script started natively (none under docker). */
export function clusterPids(): Map<number, string> {
  const state = join(ROOT, '.cluster');
  const pids = new Map<number, string>();
  if (!existsSync(state)) return pids;
  for (const service of readdirSync(state)) {
    const file = join(state, service, 'pid');
    if (existsSync(file)) pids.set(Number(readFileSync(file, 'utf8').trim()), service);
  }
  return pids;
}

/** `address:port (pid N)`, for messages. */
export function describeListener(l: Listener): string {
  return `${l.address}:${l.port}${l.pid ? ` (pid ${l.pid})` : ''}`;
}
