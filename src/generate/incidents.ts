/**
 * Incidents injected into normal traffic, and the ground truth that says where they are.
 *
 * - error-burst: one URL (a page or API call without a query string) fails with 500/502/503/504
 *   for 3–8 minutes. Clients hit it 8–16 times a minute and every normal request to it in the
 *   window fails too. Key: the URL path.
 * - ip-flood: one address requests product pages, the product API and search 1.5–4 times a
 *   second for 3–6 minutes (270–1,440 requests), answered 200 and sometimes 429. Key: the IP.
 * - scanner: one address probes 80–200 distinct paths that do not exist (/wp-login.php, /.env,
 *   /phpmyadmin/, …), 0.5–2.5 a second, answered 404 (403 for a few dot-files). Key: the IP.
 *
 * - slow-page: one busy URL (the home page, search, or the events API; the path without its
 *   query) answers 5–20 times slower than its normal for 10–30 minutes. Every request to it in
 *   the window is slowed; nothing else changes, so only the request time shows it (formats
 *   without one, combined and common, carry no trace of it). Key: the URL path.
 * slow-page, surge and outage start at least an hour into the span when their slice allows it,
 * so that the URL or the site has a normal to depart from.
 * - surge, outage, ddos, slow-scan: see wide-incidents.ts.
 *
 * Each incident gets its own slice of the span (the span is cut into as many slices as there are
 * incidents, in an order drawn from the seed), so incidents never overlap. Incident addresses are
 * reserved before normal traffic starts: no normal client ever shares them. The truth is known
 * as soon as the plan is made. Start and end are whole seconds, like the log's timestamps, and
 * every incident line has start ≤ time ≤ end.
 */

import { DENIED, FLOOD_AGENTS, probePaths, SCANNER_AGENTS } from './attack-data';
import type { Client, ClientFactory } from './clients';
import { hitOf, instants } from './incident-hits';
import type { Slowdown } from './latency';
import { type Random, shuffled } from './random';
import { createRoute, ERROR_BYTES, NOT_FOUND_BYTES, type Site } from './site';
import type { Hit } from './traffic';
import {
  type DdosDraft,
  ddos,
  ddosDraft,
  outageDuration,
  planOutage,
  planSurge,
  type Surge,
  slowScan,
  slowScanDraft,
  surgeDuration,
} from './wide-incidents';

export type IncidentKind =
  | 'error-burst'
  | 'ip-flood'
  | 'scanner'
  | 'surge'
  | 'outage'
  | 'ddos'
  | 'slow-scan'
  | 'slow-page';
export const INCIDENT_KINDS: readonly IncidentKind[] = [
  'error-burst',
  'ip-flood',
  'scanner',
  'surge',
  'outage',
  'ddos',
  'slow-scan',
  'slow-page',
];

export interface Incident {
  kind: IncidentKind;
  /**
   * The URL path (error-burst, slow-page: without its query), the client IP (ip-flood, scanner, slow-scan), the network prefix
   * (ddos) or `site` (surge, outage).
   */
  key: string;
  /** Epoch ms, inclusive. */
  start: number;
  end: number;
}

export interface GroundTruth {
  incidents: Incident[];
}

export interface IncidentPlan {
  truth: GroundTruth;
  /** Every injected request, in time order. */
  hits: Hit[];
  /** Where normal traffic is multiplied (surge incidents). */
  surges: Surge[];
  /** Where a URL answers slower (slow-page incidents). */
  slowdowns: Slowdown[];
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

interface Draft {
  kind: IncidentKind;
  /** Lines wanted before the budget is applied (0 for incidents that change normal traffic). */
  count: number;
  duration: number;
  ddos?: DdosDraft;
}

function draft(random: Random, kind: IncidentKind): Draft {
  switch (kind) {
    case 'error-burst': {
      const duration = random.range(3, 8) * MINUTE;
      return { kind, duration, count: Math.round((random.range(8, 16) * duration) / MINUTE) };
    }
    case 'ip-flood': {
      const duration = random.range(3, 6) * MINUTE;
      return { kind, duration, count: Math.round((random.range(1.5, 4) * duration) / 1000) };
    }
    case 'scanner': {
      const count = 80 + random.int(121);
      return { kind, duration: (count / random.range(0.5, 2.5)) * 1000, count };
    }
    case 'surge':
      return { kind, duration: surgeDuration(random), count: 0 };
    case 'outage':
      return { kind, duration: outageDuration(random), count: 0 };
    case 'ddos': {
      const d = ddosDraft(random);
      return { kind, duration: d.duration, count: d.count, ddos: d };
    }
    case 'slow-scan':
      return { kind, ...slowScanDraft(random) };
    case 'slow-page':
      return { kind, duration: random.range(10, 30) * MINUTE, count: 0 };
  }
}

export interface PlanOptions {
  start: number;
  spanMs: number;
  /** Total lines of the run (Infinity for an endless real-time run). */
  lines: number;
  kinds: readonly IncidentKind[];
}

/**
 * Choose time, key and intensity of each incident from the seed. Incidents take at most a quarter
 * of the lines: with fewer than about 10,000 lines they shrink and may fall below what a detector
 * would call an incident (the truth still lists them, with their real window).
 */
export function planIncidents(
  random: Random,
  site: Site,
  clients: ClientFactory,
  options: PlanOptions,
): IncidentPlan {
  const kinds = INCIDENT_KINDS.filter((k) => options.kinds.includes(k));
  const truth: GroundTruth = { incidents: [] };
  const hits: Hit[] = [];
  const surges: Surge[] = [];
  const slowdowns: Slowdown[] = [];
  if (kinds.length === 0) return { truth, hits, surges, slowdowns };

  const order = shuffled(random, kinds);
  const slice = options.spanMs / order.length;
  const drafts: Draft[] = order.map((kind) => draft(random, kind));
  const wanted = drafts.reduce((sum, d) => sum + d.count, 0);
  const budget = Math.floor(options.lines / 4);
  const scale = wanted > budget ? budget / wanted : 1;

  drafts.forEach((draft, i) => {
    const sliceStart = options.start + i * slice;
    // Keep clear of the slice edges so no incident touches another or the span's ends.
    const duration = Math.max(1, Math.floor(Math.min(draft.duration, slice * 0.8)));
    // A distributed flood and a slow scan are defined by their rate (under the per-address
    // thresholds): cut short by a small slice, they send fewer lines, not the same faster.
    const byRate = draft.kind === 'ddos' || draft.kind === 'slow-scan';
    const cut = byRate && duration < Math.floor(draft.duration) ? duration / draft.duration : 1;
    const count = Math.floor(draft.count * scale * cut);
    const room = Math.max(0, slice - duration - slice * 0.1);
    // Whole seconds, as the log writes time: every incident line then reads back inside.
    let start = Math.ceil((sliceStart + slice * 0.05 + random.next() * room) / 1000) * 1000;
    let end = start + Math.max(1000, Math.floor(duration / 1000) * 1000);
    // Rounding must not push an incident out of its slice (it matters only for tiny spans).
    const first = Math.ceil(sliceStart / 1000) * 1000;
    const last = Math.floor((sliceStart + slice - 1) / 1000) * 1000;
    if (end > last) {
      start = Math.max(first, start - (end - last));
      end = last;
    }
    // A slow page is slow against its URL's normal, a surge or an outage against the site's: give
    // them an hour of that first, when the slice allows (a detector learns normal before judging).
    const settled = Math.ceil((options.start + HOUR) / 1000) * 1000;
    const againstNormal =
      draft.kind === 'slow-page' || draft.kind === 'surge' || draft.kind === 'outage';
    if (againstNormal && start < settled && settled + (end - start) <= last) {
      end = settled + (end - start);
      start = settled;
    }
    if (end <= start) return;
    const at = (key: string): Incident => ({ kind: draft.kind, key, start, end });
    switch (draft.kind) {
      case 'surge':
        surges.push(planSurge(random, start, end));
        truth.incidents.push(at('site'));
        return;
      case 'outage':
        planOutage(random, site, start, end);
        truth.incidents.push(at('site'));
        return;
      case 'slow-page': {
        // Through the last millisecond of the end second, like an error burst.
        const path = random.pick(site.slowCandidates);
        slowdowns.push({ path, start, end: end + 999, factor: random.range(5, 20) });
        truth.incidents.push(at(path));
        return;
      }
    }
    if (count <= 0) return;
    switch (draft.kind) {
      case 'error-burst':
        truth.incidents.push(errorBurst(random, site, clients, count, start, end, hits));
        break;
      case 'ip-flood':
        truth.incidents.push(ipFlood(random, site, clients, count, start, end, hits));
        break;
      case 'scanner':
        truth.incidents.push(scanner(random, site, clients, count, start, end, hits));
        break;
      case 'ddos': {
        const d = draft.ddos as DdosDraft;
        truth.incidents.push(at(ddos(random, site, clients, d, count, start, end, hits).key));
        break;
      }
      case 'slow-scan':
        truth.incidents.push(at(slowScan(random, site, clients, count, start, end, hits).key));
        break;
    }
  });
  truth.incidents.sort((a, b) => a.start - b.start);
  hits.sort((a, b) => a.time - b.time);
  return { truth, hits, surges, slowdowns };
}

function errorBurst(
  random: Random,
  site: Site,
  clients: ClientFactory,
  count: number,
  start: number,
  end: number,
  hits: Hit[],
): Incident {
  const route = random.pick(site.burstCandidates);
  // Through the last millisecond of the end second, so every line stamped inside fails.
  route.burstStart = start;
  route.burstEnd = end + 999;
  // Many visitors meet the failure, most of them retry once or twice.
  const visitors: Client[] = [];
  for (let i = 0; i < Math.max(1, Math.ceil(count / 2)); i++)
    visitors.push(clients.browser(random.next() < 0.5));
  const referrer =
    route.kind === 'api' ? site.cart.ref : route.kind === 'product' ? site.home.ref : null;
  for (const time of instants(random, count, start, end)) {
    const u = random.next();
    const status = u < 0.5 ? 500 : u < 0.7 ? 502 : u < 0.9 ? 503 : 504;
    hits.push(hitOf(time, random.pick(visitors), route, status, ERROR_BYTES[status], referrer));
  }
  return { kind: 'error-burst', key: route.path, start, end };
}

function ipFlood(
  random: Random,
  site: Site,
  clients: ClientFactory,
  count: number,
  start: number,
  end: number,
  hits: Hit[],
): Incident {
  const client = clients.custom('tool', random.pick(FLOOD_AGENTS), 0);
  for (const time of instants(random, count, start, end)) {
    const u = random.next();
    const route =
      u < 0.55
        ? site.products[random.int(site.products.length)]
        : u < 0.85
          ? site.productApi[random.int(site.productApi.length)]
          : site.searches.pick(random);
    // A rate limiter answers some of them with 429.
    if (random.next() < 0.05) hits.push(hitOf(time, client, route, 429, 162, null));
    else
      hits.push(
        hitOf(
          time,
          client,
          route,
          200,
          route.bytes + Math.floor(random.next() * route.jitter),
          null,
        ),
      );
  }
  return { kind: 'ip-flood', key: client.ip, start, end };
}

function scanner(
  random: Random,
  site: Site,
  clients: ClientFactory,
  count: number,
  start: number,
  end: number,
  hits: Hit[],
): Incident {
  const client = clients.custom('tool', random.pick(SCANNER_AGENTS), 0);
  const paths = probePaths(random);
  const times = instants(random, Math.min(count, paths.length + 1), start, end);
  // Scanners usually look at the home page first.
  hits.push(hitOf(times[0], client, site.home, 200, site.home.bytes, null));
  for (let i = 1; i < times.length; i++) {
    const path = paths[i - 1];
    const method = path.endsWith('xmlrpc.php') && random.next() < 0.5 ? 'POST' : 'GET';
    const denied = DENIED.has(path);
    const route = createRoute({
      kind: 'gone',
      method,
      path,
      status: denied ? 403 : 404,
      bytes: denied ? 277 : NOT_FOUND_BYTES,
    });
    hits.push(hitOf(times[i], client, route, route.status, route.bytes, null));
  }
  return { kind: 'scanner', key: client.ip, start, end };
}
