/** Small pieces every injected incident uses: spread instants over its window, make a hit. */
import type { Client } from './clients';
import type { Random } from './random';
import type { Ref } from './ref';
import type { Route } from './site';
import type { Hit } from './traffic';

/** `count` sorted instants in [start, end] with the first at start and the last at end. */
export function instants(random: Random, count: number, start: number, end: number): number[] {
  const out: number[] = [];
  if (count <= 0) return out;
  if (count === 1) return [start];
  out.push(start, end);
  for (let i = 2; i < count; i++) out.push(start + Math.floor(random.next() * (end - start + 1)));
  return out.sort((a, b) => a - b);
}

export function hitOf(
  time: number,
  client: Client,
  route: Route,
  status: number,
  bytes: number,
  referrer: Ref | null,
): Hit {
  return { time, client, route, status, bytes, referrer, durationUs: 0 };
}
