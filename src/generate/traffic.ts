/**
 * Normal traffic: sessions of browsers, crawlers, scripts and monitors, one line at a time.
 *
 * Line times come from a SlotTimes source (diurnal.ts): each line consumes one of its ascending
 * times, so the line count is exact and the density follows the curve. A page view, a crawler
 * hit or a script call happens *at* the current slot time; the requests a page causes (assets,
 * API calls, the target of a redirect) happen at their own times 10–200 ms later, as a browser
 * makes them, whenever that is before the current slot time. So a page and its assets arrive
 * together even at night, and the gap after them is longer instead.
 *
 * Active sessions wait in two heaps on the time they are due: sessions loading a page (next
 * queued request) and sessions between pages (next page after a think time). Queued requests due
 * before the slot time go first; then, at the slot time, a session whose next page is due acts,
 * or else a new session starts, so concurrency follows the traffic level by itself.
 *
 * Limits that keep normal traffic clean of false incidents: see limits.ts.
 */

import { MinHeap } from '../min-heap';
import type { Client, ClientFactory } from './clients';
import { BOTS, MONITORS } from './clients';
import type { SlotTimes } from './diurnal';
import { BUCKET_MS, ERROR_LIMIT, NOT_FOUND_LIMIT, REQUEST_LIMIT } from './limits';
import { createNavigation } from './navigation';
import type { Random } from './random';
import type { Ref } from './ref';
import { createRoute, ERROR_BYTES, type Route, type Site } from './site';

/** One generated request, before formatting. `bytes` is -1 for "-". */
export interface Hit {
  time: number;
  client: Client;
  route: Route;
  status: number;
  bytes: number;
  referrer: Ref | null;
  /** Time to answer, whole µs; set only when the output format carries it (latency.ts). */
  durationUs: number;
}

/** A session whose next request is this late has been abandoned. */
const STALE_MS = 20 * 60_000;

const HUMAN = 0;
const BOT = 1;
const TOOL = 2;
const MONITOR = 3;

interface Session {
  due: number;
  client: Client;
  kind: number;
  pagesLeft: number;
  /** The page the visitor is on (where the next click starts). */
  page: Route | null;
  /** The browser has not fetched the shared assets yet (or the crawler not robots.txt). */
  first: boolean;
  /** A visitor's first page has been chosen. */
  landed: boolean;
  done: boolean;
  /** Requests the last page caused: assets, API calls, or the target of a redirect. */
  queue: Route[];
  queueStatus: number[];
  queueRef: (Ref | null)[];
  qPos: number;
  qLen: number;
}

export interface Traffic {
  /** Fill `hit` with the next normal request; times never decrease between calls. */
  next(hit: Hit): void;
}

export function createTraffic(
  random: Random,
  site: Site,
  clients: ClientFactory,
  slots: SlotTimes,
): Traffic {
  // Sessions fetching what their last page needs, and sessions between pages.
  const loading = new MinHeap<Session>();
  const thinking = new MinHeap<Session>();
  const recentHumans: (Client | undefined)[] = new Array(4096);
  let recentNext = 0;
  const botPools: Client[][] = BOTS.map(() => []);
  const toolPool: Client[] = [];
  const monitors: (Client | undefined)[] = MONITORS.map(() => undefined);
  const headHome = createRoute({ kind: 'home', method: 'HEAD', path: '/' });
  const navigation = createNavigation(random, site);

  // ---- status and size of an answer ----

  function answer(route: Route, t: number): number {
    if (t >= site.outageStart && t <= site.outageEnd && random.next() < site.outageRatio) {
      const u = random.next();
      return u < 0.6 ? 503 : u < 0.85 ? 502 : 504;
    }
    if (t >= route.burstStart && t <= route.burstEnd) {
      const u = random.next();
      return u < 0.5 ? 500 : u < 0.7 ? 502 : u < 0.9 ? 503 : 504;
    }
    if (route.errorRate > 0 && random.next() < route.errorRate) {
      const errors = route.errors;
      const bucket = Math.floor(t / BUCKET_MS);
      if (errors.bucket !== bucket) {
        errors.bucket = bucket;
        errors.count = 0;
      }
      if (errors.count < ERROR_LIMIT) {
        errors.count++;
        return random.next() < 0.8 ? 500 : 503;
      }
    }
    return route.status;
  }

  function sizeOf(route: Route, status: number): number {
    if (status >= 500) return ERROR_BYTES[status] ?? 0;
    if (status === 304 || route.bytes === 0) return -1;
    if (route.jitter === 0) return route.bytes;
    return route.bytes + Math.floor(random.next() * route.jitter);
  }

  function fill(
    hit: Hit,
    s: Session,
    route: Route,
    status: number,
    referrer: Ref | null,
    t: number,
  ): void {
    hit.time = t;
    hit.client = s.client;
    hit.route = route;
    hit.status = status;
    hit.bytes = sizeOf(route, status);
    hit.referrer = referrer;
    if (status === 404) s.client.notFound++;
  }

  function enqueue(s: Session, route: Route, status: number, referrer: Ref | null): void {
    const i = s.qLen++;
    s.queue[i] = route;
    s.queueStatus[i] = status;
    s.queueRef[i] = referrer;
  }

  // ---- what a browser fetches for a page ----

  function queueAssets(s: Session, page: Route): void {
    const c = s.client;
    const returning = c.visits > 1;
    const ref = page.ref;
    if (s.first) {
      for (const a of site.sharedAssets) {
        enqueue(s, a, returning && random.next() < 0.85 ? 304 : 200, ref);
      }
      if (!returning) enqueue(s, site.favicon, 200, null);
      if (c.ios && !returning) {
        for (const icon of site.appleTouchIcons) enqueue(s, icon, 404, null);
      }
    } else if (random.next() < 0.06) {
      enqueue(s, site.sharedAssets[0], 304, ref);
    }
    for (const a of page.assets) {
      if (a.kind === 'api') {
        if (random.next() < 0.7) enqueue(s, a, 0, ref);
      } else {
        enqueue(s, a, returning && random.next() < 0.3 ? 304 : 200, ref);
      }
    }
    if (random.next() < 0.35) enqueue(s, site.events, 0, ref);
  }

  /** A browser asks for a page (or posts a form) and gets the answer. */
  function viewPage(s: Session, route: Route, referrer: Ref | null, t: number, hit: Hit): void {
    const status = answer(route, t);
    fill(hit, s, route, status, referrer, t);
    s.qPos = 0;
    s.qLen = 0;
    if ((status === 301 || status === 302) && route.redirect !== null) {
      // A followed 301 keeps the original referrer; after a form post it is the form's page.
      const ref = status === 301 ? referrer : s.page === null ? null : s.page.ref;
      enqueue(s, route.redirect, 0, ref);
    } else if (status === 200 && route.kind !== 'action') {
      s.page = route;
      if (s.kind === HUMAN) queueAssets(s, route);
      s.first = false;
    }
  }

  // ---- sessions ----

  // Ended sessions are reused: a day of traffic starts thousands of them.
  const pool: Session[] = [];

  function newSession(client: Client, kind: number, pages: number, t: number): Session {
    client.active = true;
    client.visits++;
    const reused = pool.pop();
    if (reused !== undefined) {
      reused.due = t;
      reused.client = client;
      reused.kind = kind;
      reused.pagesLeft = pages;
      reused.page = null;
      reused.first = true;
      reused.landed = false;
      reused.done = false;
      reused.qPos = 0;
      reused.qLen = 0;
      return reused;
    }
    return {
      due: t,
      client,
      kind,
      pagesLeft: pages,
      page: null,
      first: true,
      landed: false,
      done: false,
      queue: [],
      queueStatus: [],
      queueRef: [],
      qPos: 0,
      qLen: 0,
    };
  }

  function humanClient(mobile: boolean): Client {
    if (random.next() < 0.22) {
      const old = recentHumans[random.int(recentHumans.length)];
      if (old !== undefined && !old.active) return old;
    }
    const client = clients.browser(mobile);
    recentHumans[recentNext] = client;
    recentNext = (recentNext + 1) % recentHumans.length;
    return client;
  }

  function startSession(t: number): Session {
    const u = random.next();
    if (u >= 0.88 && u < 0.955) {
      const index = clients.botPicker.pick(random);
      const pool = botPools[index];
      let client: Client | null = null;
      if (pool.length > 0 && random.next() < 0.85) {
        const old = pool[random.int(pool.length)];
        if (!old.active) client = old;
      }
      if (client === null) {
        client = clients.bot(index);
        if (client !== null) pool.push(client);
      }
      if (client !== null) {
        return newSession(client, BOT, 3 + Math.min(297, Math.floor(random.exponential(25))), t);
      }
    } else if (u >= 0.955 && u < 0.985) {
      let client: Client | undefined;
      if (toolPool.length > 0 && random.next() < 0.5)
        client = toolPool[random.int(toolPool.length)];
      if (client === undefined || client.active) {
        client = clients.tool();
        toolPool.push(client);
      }
      return newSession(client, TOOL, 1 + random.int(6), t);
    } else if (u >= 0.985) {
      const index = random.int(monitors.length);
      let client = monitors[index];
      if (client === undefined) {
        client = clients.monitor(index);
        monitors[index] = client;
      }
      if (!client.active) return newSession(client, MONITOR, 20 + random.int(100), t);
    }
    const mobile = random.next() < 0.5;
    // Sessions end after each page with probability 0.22: five pages on average.
    let pages = 1;
    while (pages < 30 && random.next() >= 0.22) pages++;
    return newSession(humanClient(mobile), HUMAN, pages, t);
  }

  /** Emit the session's next request; false when the session has nothing more to do. */
  function step(s: Session, t: number, hit: Hit): boolean {
    const c = s.client;
    const bucket = Math.floor(t / BUCKET_MS);
    if (c.bucket !== bucket) {
      c.bucket = bucket;
      c.count = 0;
    }
    if (c.count >= REQUEST_LIMIT) return false;
    let emitted = false;
    while (s.qPos < s.qLen) {
      const i = s.qPos++;
      const route = s.queue[i];
      if (route.isPage) {
        viewPage(s, route, s.queueRef[i], t, hit);
        emitted = true;
        break;
      }
      const planned = s.queueStatus[i];
      if (planned === 404 && c.notFound >= NOT_FOUND_LIMIT) continue;
      // In an outage even cached assets fail: the front end answers before any cache does.
      const down = t >= site.outageStart && t <= site.outageEnd;
      fill(hit, s, route, planned === 0 || down ? answer(route, t) : planned, s.queueRef[i], t);
      emitted = true;
      break;
    }
    if (!emitted) {
      if (s.pagesLeft <= 0) return false;
      s.pagesLeft--;
      switch (s.kind) {
        case HUMAN:
          if (!s.landed) {
            s.landed = true;
            const entry = navigation.landing(c.notFound);
            viewPage(s, entry.route, entry.referrer, t, hit);
          } else {
            viewPage(
              s,
              navigation.click(s.page, c.notFound),
              s.page === null ? null : s.page.ref,
              t,
              hit,
            );
          }
          break;
        case BOT: {
          const route = navigation.crawl(s.first, c.notFound);
          fill(hit, s, route, answer(route, t), null, t);
          s.first = false;
          break;
        }
        case TOOL: {
          const route =
            random.next() < 0.7 ? site.productApi[random.int(site.productApi.length)] : site.health;
          fill(hit, s, route, answer(route, t), null, t);
          break;
        }
        default: {
          const route = c.userAgent === MONITORS[0] ? headHome : site.home;
          fill(hit, s, route, answer(route, t), null, t);
        }
      }
    }
    c.count++;
    if (s.qPos < s.qLen) {
      s.due = t + 10 + Math.floor(random.next() * 190);
    } else if (s.pagesLeft <= 0) {
      s.done = true;
    } else {
      s.due = t + thinkTime(s.kind);
    }
    return true;
  }

  function thinkTime(kind: number): number {
    switch (kind) {
      case HUMAN:
        return 3_000 + Math.floor(random.exponential(32_000));
      case BOT:
        return 500 + Math.floor(random.exponential(6_000));
      case TOOL:
        return 100 + Math.floor(random.exponential(1_500));
      default:
        return 59_500 + Math.floor(random.next() * 1_000);
    }
  }

  function end(s: Session): void {
    s.done = true;
    s.client.active = false;
    pool.push(s);
  }

  let slot = Number.NaN;

  return {
    next(hit) {
      if (Number.isNaN(slot)) slot = slots.next();
      for (;;) {
        // `from` is the heap the session was peeked from (still its top), or null for a new one.
        let s: Session;
        let from: MinHeap<Session> | null;
        let t = slot;
        if (loading.minKey() <= slot) {
          // A request the last page caused, at its own time: before anything at the slot time.
          from = loading;
          s = loading.peek() as Session;
          t = s.due;
        } else if (thinking.minKey() <= slot) {
          from = thinking;
          s = thinking.peek() as Session;
          if (slot - s.due > STALE_MS) {
            thinking.pop();
            end(s);
            continue;
          }
        } else {
          from = null;
          s = startSession(slot);
        }
        if (step(s, t, hit)) {
          const to = s.done ? null : s.qPos < s.qLen ? loading : thinking;
          if (from === to && to !== null) to.replaceTop(s.due, s);
          else {
            if (from !== null) from.pop();
            if (to !== null) to.push(s.due, s);
            else end(s);
          }
          slot = slots.next();
          return;
        }
        if (from !== null) from.pop();
        end(s);
      }
    },
  };
}
