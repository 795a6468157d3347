/**
 * Incidents that no single-key threshold sees (issue: detection beyond thresholds):
 *
 * - surge: a flash crowd. Site-wide traffic is 5–10 times what the diurnal curve gives, for
 *   20–60 minutes, made by ordinary visitors (more sessions), so the error ratio stays normal
 *   and no address or URL crosses a per-key limit. Key: `site`.
 * - outage: the site fails. For 5–15 minutes every answer, page or cached asset, is a 5xx
 *   (503, 502, 504) with probability 0.6–0.9, so the site's 5xx ratio is above 50%. Key: `site`.
 *   (The other face of an outage, traffic falling to near zero, is what the anomaly detector's
 *   requests-drop looks for; the generator injects the failing form.)
 * - ddos: a distributed flood. 100–254 addresses of one /24, or 100–500 of one /64, each
 *   sending 1.5–4 requests a minute for 5–10 minutes (at most ~40 in any five minutes, far under
 *   the ip-flood limit of 150), together 150–2,000 a minute: ten times and more what the busiest
 *   address of normal traffic sends, and a crowd from one network, where normal clients are
 *   spread over the whole address space. Key: the prefix (`203.0.113.0/24`, `2a05:d014:1f:2c::/64`).
 * - slow-scan: one address probes paths that do not exist, 1–2.5 a minute for 1–2.5 hours, one
 *   probe in each equal slice of the time (jittered inside it), so no five minutes hold more than
 *   14 probes: under the scanner threshold of 20 distinct paths per window. Key: the IP.
 *
 * surge and outage change the normal traffic (the curve's density, the answers) and inject no
 * lines; ddos and slow-scan inject lines, like the incidents of incidents.ts.
 */
import { DENIED, FLOOD_AGENTS, SCANNER_AGENTS, slowProbePaths } from './attack-data';
import { type ClientFactory, createClient } from './clients';
import { hitOf, instants } from './incident-hits';
import type { Random } from './random';
import { createRoute, NOT_FOUND_BYTES, type Site } from './site';
import type { Hit } from './traffic';

const MINUTE = 60_000;

/** A stretch of time in which the diurnal curve is multiplied by `factor`. */
export interface Surge {
  start: number;
  end: number;
  factor: number;
}

export function surgeDuration(random: Random): number {
  return random.range(20, 60) * MINUTE;
}

export function outageDuration(random: Random): number {
  return random.range(5, 15) * MINUTE;
}

export function planSurge(random: Random, start: number, end: number): Surge {
  // Through the last millisecond of the end second, like an error burst.
  return { start, end: end + 999, factor: random.range(5, 10) };
}

export function planOutage(random: Random, site: Site, start: number, end: number): void {
  site.outageStart = start;
  site.outageEnd = end + 999;
  site.outageRatio = random.range(0.6, 0.9);
}

/** The curve with surges applied. */
export function surgedWeight(
  weight: (epochMs: number) => number,
  surges: readonly Surge[],
): (epochMs: number) => number {
  if (surges.length === 0) return weight;
  return (t) => {
    let w = weight(t);
    for (const s of surges) if (t >= s.start && t <= s.end) w *= s.factor;
    return w;
  };
}

export interface DdosDraft {
  duration: number;
  count: number;
  v6: boolean;
  addresses: number;
}

export function ddosDraft(random: Random): DdosDraft {
  const v6 = random.next() < 0.3;
  const addresses = v6 ? 100 + random.int(401) : 100 + random.int(155);
  const duration = random.range(5, 10) * MINUTE;
  const perMinute = random.range(1.5, 4);
  return {
    duration,
    v6,
    addresses,
    count: Math.round((addresses * perMinute * duration) / MINUTE),
  };
}

/** A public /24 or a hosting /64 with `n` distinct addresses in it, reserved from normal traffic. */
function prefixAddresses(
  random: Random,
  v6: boolean,
  n: number,
): { prefix: string; ips: string[] } {
  const ips: string[] = [];
  if (v6) {
    const hex = () => random.int(65536).toString(16);
    const head = `2a05:d014:${hex()}:${hex()}`;
    const seen = new Set<string>();
    while (ips.length < n) {
      const ip = `${head}:${hex()}:${hex()}:${hex()}:${hex()}`;
      if (seen.has(ip)) continue;
      seen.add(ip);
      ips.push(ip);
    }
    return { prefix: `${head}::/64`, ips };
  }
  // A public /24 from address space normal clients draw from as well (45–95.x.x, not reserved).
  const head = `${45 + random.int(51)}.${random.int(256)}.${random.int(256)}`;
  const hosts = Array.from({ length: 254 }, (_, i) => i + 1);
  for (let i = 0; i < n; i++) {
    const j = i + random.int(hosts.length - i);
    [hosts[i], hosts[j]] = [hosts[j], hosts[i]];
    ips.push(`${head}.${hosts[i]}`);
  }
  return { prefix: `${head}.0/24`, ips };
}

export function ddos(
  random: Random,
  site: Site,
  clients: ClientFactory,
  draft: DdosDraft,
  count: number,
  start: number,
  end: number,
  hits: Hit[],
): { key: string } {
  const { prefix, ips } = prefixAddresses(random, draft.v6, draft.addresses);
  const bots = ips.map((ip) => {
    clients.reserve(ip);
    return createClient('tool', ip, random.pick(FLOOD_AGENTS), random.next() < 0.5 ? 1 : 0);
  });
  for (const time of instants(random, count, start, end)) {
    const client = bots[random.int(bots.length)];
    const u = random.next();
    // What a flood asks for: the home page, search (uncached) and product pages.
    const route =
      u < 0.3 ? site.home : u < 0.65 ? site.searches.pick(random) : random.pick(site.products);
    hits.push(
      hitOf(time, client, route, 200, route.bytes + Math.floor(random.next() * route.jitter), null),
    );
  }
  return { key: prefix };
}

export interface SlowScanDraft {
  duration: number;
  count: number;
}

export function slowScanDraft(random: Random): SlowScanDraft {
  const duration = random.range(60, 150) * MINUTE;
  return { duration, count: Math.round((random.range(1, 2.5) * duration) / MINUTE) };
}

export function slowScan(
  random: Random,
  site: Site,
  clients: ClientFactory,
  count: number,
  start: number,
  end: number,
  hits: Hit[],
): { key: string } {
  const client = clients.custom('tool', random.pick(SCANNER_AGENTS), 0);
  const paths = slowProbePaths(random);
  // One probe per equal slice of [start, end], at a random point of it: steady, never bunched.
  const slice = (end - start) / Math.max(1, count);
  hits.push(hitOf(start, client, site.home, 200, site.home.bytes, null));
  for (let i = 1; i < count; i++) {
    const time = Math.min(end, Math.floor(start + (i + random.next()) * slice));
    const path = paths[(i - 1) % paths.length];
    const denied = DENIED.has(path);
    const route = createRoute({
      kind: 'gone',
      path,
      status: denied ? 403 : 404,
      bytes: denied ? 277 : NOT_FOUND_BYTES,
    });
    hits.push(hitOf(time, client, route, route.status, route.bytes, null));
  }
  return { key: client.ip };
}
