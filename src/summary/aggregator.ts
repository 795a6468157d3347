/**
 * The one-pass summary: counters over parsed requests that can be added to line by line, merged
 * (one aggregator per worker thread, merged at the end) and turned into a `Summary`.
 *
 * Everything is kept in a plain `SummaryState` (Maps, arrays, numbers) so that a worker can post it
 * to the main thread with structured clone. Unique visitors need the set of (day, address, user
 * agent) triples, not just a count, to merge exactly: each address keeps the codes
 * `userAgentId * 2^20 + day` it was seen with, user agents interned to small numbers.
 */
import type { LogRecord } from '../log/record';
import type { ErrorRow, KeyHits, ResultOptions, Summary } from './types';

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;
/** Room for the day in a visitor code: days since 1970 stay below 2^20 until the year 4840. */
const DAY_SPAN = 0x100000;
/** Statuses 0–999 are counted in an array; parsers only return 100–599. */
const STATUS_SLOTS = 1000;

/** Requests and visitor codes of one client address. */
export interface IpEntry {
  hits: number;
  /** The first visitor code seen (most addresses have one), or -1. */
  first: number;
  /** Further distinct codes, created when an address shows a second user agent or day. */
  more: Set<number> | null;
  /**
   * The user agent this address sent last, and its id. Most addresses send one user agent, so
   * comparing with it is cheaper than looking the user agent up each time.
   */
  agent: string | null;
  agentId: number;
}

export interface SummaryState {
  parsed: number;
  rejected: number;
  /** Parsed lines cut off inside their last field (`LogRecord.truncated`). */
  truncated: number;
  reasons: Map<string, number>;
  /** Requests per status, indexed by status code. */
  status: number[];
  hourly: number[];
  firstTime: number;
  lastTime: number;
  urls: Map<string, { hits: number }>;
  ips: Map<string, IpEntry>;
  /** User agent → id; "-" stands for an absent or empty one. */
  agents: Map<string, number>;
  /** Id → user agent. */
  agentNames: string[];
  /** `${status} ${url}` → count, for 4xx and 5xx. */
  errors: Map<string, number>;
  visitors: number;
}

export function createSummaryState(): SummaryState {
  return {
    parsed: 0,
    rejected: 0,
    truncated: 0,
    reasons: new Map(),
    status: new Array<number>(STATUS_SLOTS).fill(0),
    hourly: new Array<number>(24).fill(0),
    firstTime: Number.POSITIVE_INFINITY,
    lastTime: Number.NEGATIVE_INFINITY,
    urls: new Map(),
    ips: new Map(),
    agents: new Map(),
    agentNames: [],
    errors: new Map(),
    visitors: 0,
  };
}

/**
 * A string that does not share memory with a larger one. Keys often are slices of a chunk of
 * several megabytes; kept as they are, one key would keep its whole chunk alive. Concatenating and
 * slicing makes V8 flatten the key into a fresh string of its own.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : `${s}\0`.slice(0, -1);
}

/**
 * Count one request: the hot path of every summary. `userAgent` null or "" counts as "-", the way
 * GoAccess keys a missing user agent; `url` is the request target, "-" when there was none.
 */
export function countRequest(
  st: SummaryState,
  ip: string,
  userAgent: string | null,
  url: string,
  status: number,
  time: number,
): void {
  countRequestAt(st, st.ips.get(ip), ip, userAgent, url, status, time);
}

/** `countRequest` when the caller has already looked up the address's entry (or found none). */
export function countRequestAt(
  st: SummaryState,
  found: IpEntry | undefined,
  ip: string,
  userAgent: string | null,
  url: string,
  status: number,
  time: number,
): void {
  st.parsed++;
  if (status >= 0 && status < STATUS_SLOTS) st.status[status]++;
  if (time < st.firstTime) st.firstTime = time;
  if (time > st.lastTime) st.lastTime = time;
  const day = Math.floor(time / MS_PER_DAY);
  st.hourly[Math.floor((time - day * MS_PER_DAY) / MS_PER_HOUR)]++;

  const u = st.urls.get(url);
  if (u === undefined) st.urls.set(ownString(url), { hits: 1 });
  else u.hits++;

  let entry = found;
  if (entry === undefined) {
    entry = newEntry();
    st.ips.set(ownString(ip), entry);
  }
  entry.hits++;

  if (status >= 400 && status < 500) {
    // GoAccess leaves 4xx answers out of unique visitors by default.
    countError(st, url, status);
    return;
  }
  if (status >= 500) countError(st, url, status);
  const agent = userAgent === null || userAgent === '' ? '-' : userAgent;
  let id = entry.agentId;
  if (entry.agent !== agent) {
    id = agentId(st, agent);
    entry.agent = st.agentNames[id];
    entry.agentId = id;
  }
  addVisitor(st, entry, id * DAY_SPAN + (day & (DAY_SPAN - 1)));
}

function newEntry(): IpEntry {
  return { hits: 0, first: -1, more: null, agent: null, agentId: -1 };
}

/** The id of a user agent, interned on first sight. */
function agentId(st: SummaryState, agent: string): number {
  let id = st.agents.get(agent);
  if (id === undefined) {
    id = st.agentNames.length;
    const own = ownString(agent);
    st.agents.set(own, id);
    st.agentNames.push(own);
  }
  return id;
}

function addVisitor(st: SummaryState, entry: IpEntry, code: number): void {
  if (entry.first === code) return;
  if (entry.first === -1) {
    entry.first = code;
    st.visitors++;
    return;
  }
  if (entry.more === null) entry.more = new Set();
  else if (entry.more.has(code)) return;
  entry.more.add(code);
  st.visitors++;
}

function countError(st: SummaryState, url: string, status: number): void {
  const key = `${status} ${url}`;
  const n = st.errors.get(key);
  // A new key is copied: as built, it points into `url`, often a slice of a block of the input.
  if (n === undefined) st.errors.set(ownString(key), 1);
  else st.errors.set(key, n + 1);
}

/** Count one rejected line under its reason. */
export function countRejected(st: SummaryState, reason: string): void {
  st.rejected++;
  st.reasons.set(reason, (st.reasons.get(reason) ?? 0) + 1);
}

/** Add everything counted in `from` to `into`; `from` is left as it was. */
export function mergeSummaryState(into: SummaryState, from: SummaryState): void {
  into.parsed += from.parsed;
  into.rejected += from.rejected;
  into.truncated += from.truncated;
  for (const [reason, n] of from.reasons)
    into.reasons.set(reason, (into.reasons.get(reason) ?? 0) + n);
  for (let i = 0; i < STATUS_SLOTS; i++) into.status[i] += from.status[i];
  for (let h = 0; h < 24; h++) into.hourly[h] += from.hourly[h];
  if (from.firstTime < into.firstTime) into.firstTime = from.firstTime;
  if (from.lastTime > into.lastTime) into.lastTime = from.lastTime;
  for (const [url, u] of from.urls) {
    const mine = into.urls.get(url);
    if (mine === undefined) into.urls.set(url, { hits: u.hits });
    else mine.hits += u.hits;
  }
  for (const [key, n] of from.errors) into.errors.set(key, (into.errors.get(key) ?? 0) + n);

  // User-agent ids are local to each state: translate `from`'s ids into ours.
  const translate: number[] = from.agentNames.map((agent) => agentId(into, agent));
  for (const [ip, e] of from.ips) {
    let entry = into.ips.get(ip);
    if (entry === undefined) {
      entry = newEntry();
      into.ips.set(ip, entry);
    }
    entry.hits += e.hits;
    if (e.first !== -1) addVisitor(into, entry, recode(e.first, translate));
    if (e.more !== null)
      for (const code of e.more) addVisitor(into, entry, recode(code, translate));
  }
}

function recode(code: number, translate: number[]): number {
  const day = code % DAY_SPAN;
  return translate[(code - day) / DAY_SPAN] * DAY_SPAN + day;
}

/** Count descending, then key ascending (code-unit order, the same on every machine). */
function byCountThenKey(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** The `limit` largest entries, by count descending, then key ascending. */
export function topEntries<T>(
  entries: Iterable<[string, T]>,
  count: (value: T) => number,
  limit: number,
): [string, number][] {
  const top: [string, number][] = [];
  if (limit <= 0) return top;
  if (limit > 100) {
    // A long list (or all of it): sorting everything is simplest.
    for (const [key, value] of entries) top.push([key, count(value)]);
    return top.sort(byCountThenKey).slice(0, limit);
  }
  for (const [key, value] of entries) {
    const n = count(value);
    if (top.length === limit) {
      const last = top[limit - 1];
      if (n < last[1] || (n === last[1] && key > last[0])) continue;
    }
    // Insert in order; the list is short, so a linear scan is cheapest.
    let i = top.length;
    while (i > 0 && (top[i - 1][1] < n || (top[i - 1][1] === n && top[i - 1][0] > key))) i--;
    top.splice(i, 0, [key, n]);
    if (top.length > limit) top.pop();
  }
  return top;
}

const hitsOf = (u: { hits: number }) => u.hits;
const identity = (n: number) => n;

/** The summary of a state (see `Summary` for what each figure means). */
export function summaryOf(st: SummaryState, options: ResultOptions = {}): Summary {
  const limit = options.top ?? 10;
  const statusCodes: Record<string, number> = {};
  for (let s = 0; s < STATUS_SLOTS; s++)
    if (st.status[s] > 0) statusCodes[String(s)] = st.status[s];
  let peakHour: Summary['peakHour'] = null;
  if (st.parsed > 0) {
    let best = 0;
    for (let h = 1; h < 24; h++) if (st.hourly[h] > st.hourly[best]) best = h;
    peakHour = { hour: best, requests: st.hourly[best] };
  }
  const rejectReasons: Record<string, number> = {};
  for (const [reason, n] of [...st.reasons].sort(byCountThenKey)) {
    rejectReasons[reason] = n;
  }
  const keyHits = ([key, hits]: [string, number]): KeyHits => ({ key, hits });
  const topErrors: ErrorRow[] = topEntries(st.errors, identity, limit).map(([key, count]) => {
    const sp = key.indexOf(' ');
    return { url: key.slice(sp + 1), status: Number(key.slice(0, sp)), count };
  });
  return {
    read: st.parsed + st.rejected,
    parsed: st.parsed,
    rejected: st.rejected,
    rejectReasons,
    truncated: st.truncated,
    total: st.parsed,
    statusCodes,
    uniqueVisitors: st.visitors,
    peakHour,
    hourly: st.hourly.slice(),
    firstTime: st.parsed > 0 ? new Date(st.firstTime).toISOString() : null,
    lastTime: st.parsed > 0 ? new Date(st.lastTime).toISOString() : null,
    topUrls: topEntries(st.urls, hitsOf, limit).map(keyHits),
    topIps: topEntries(st.ips, hitsOf, limit).map(keyHits),
    topErrors,
  };
}

/** Counters you add records to, merge with another aggregator's, and read as a `Summary`. */
export interface SummaryAggregator {
  /** Count one parsed record. */
  add(record: LogRecord): void;
  /** Count one rejected line. */
  reject(reason: string): void;
  /** Add another aggregator's counts (or a state posted by a worker) to this one. */
  merge(other: SummaryAggregator | SummaryState): void;
  result(options?: ResultOptions): Summary;
  /** The counters themselves, e.g. to post from a worker thread. */
  readonly state: SummaryState;
}

export function createSummaryAggregator(
  state: SummaryState = createSummaryState(),
): SummaryAggregator {
  return {
    state,
    add(record: LogRecord): void {
      if (record.truncated === true) state.truncated++;
      countRequest(
        state,
        record.ip,
        record.userAgent,
        record.path ?? '-',
        record.status,
        record.time,
      );
    },
    reject(reason: string): void {
      countRejected(state, reason);
    },
    merge(other: SummaryAggregator | SummaryState): void {
      mergeSummaryState(state, 'state' in other ? other.state : other);
    },
    result(options?: ResultOptions): Summary {
      return summaryOf(state, options);
    },
  };
}
