/**
 * prefix-flood: a distributed flood, many addresses of one network each staying under the
 * per-address limit. Requests are counted per /24 (IPv4) and per /64 (IPv6) prefix; the
 * condition holds when a window has at least `minRequests` requests from the prefix, they came
 * from at least `minAddresses` distinct addresses, and those addresses are at least
 * `minAddressShare` of all the addresses active on the site in that window. The distinct count
 * is the evidence that it is a crowd and not one busy client (that one is ip-flood's); the share
 * is what keeps the rule true at any traffic. `observed` is the prefix's requests in the
 * window, `threshold` is `minRequests`.
 *
 * Why a share of the site's addresses, and not only absolute counts: a network that really
 * serves the site (a crawler's /24) brings a steady part of the traffic, so its requests and
 * addresses grow with the site's. On a clean day of 10 million lines (ten times the usual rate)
 * bingbot's 207.46.13.0/24 sent 300–530 requests from 15–27 addresses in five minutes, over
 * both absolute bars, and raised 55 alerts; yet its addresses were never more than ~1.1% of
 * the site's (27 of 2,423). A flood is a crowd out of proportion to the network's place: 100–500
 * addresses of one prefix within minutes, about 3% of the site's addresses even at ten times the
 * usual traffic and most of them at the usual rate. The absolute bars stay, so that a quiet
 * night, when a few addresses are a large share, raises nothing. A share needs no history, so
 * there is no baseline an incident could teach, and it costs one count per window.
 *
 * What we decided:
 * - A record costs the prefix table nothing: at each window's close, every live address hands
 *   the buckets that just became final to its prefix's row (keyed-windows.ts). The prefix of an
 *   address is worked out once, at the first close of its row in the address table
 *   (ip-activity.ts), which then points at the prefix's row. Measured on a generated day with
 *   every detector: counting per record cost a fifth of the engine's throughput.
 * - The distinct count is exact and costs no memory per address: at a window's close, every
 *   live address that sent something in the window adds one to its prefix. A prefix row lives
 *   while any of its addresses has a row or its alert is open.
 * - The site's count is the number of live addresses active in the window, counted in the same
 *   walk as the per-prefix ones: no memory beyond one number.
 */
import { badFlag } from '../../errors';
import { type Alert, severityOf, trackAlert } from '../alert';
import { KeyedRings } from '../keyed-rings';

export interface PrefixFloodOptions {
  /** Requests from one prefix in one window that make a flood (with enough addresses). */
  minRequests: number;
  /** Distinct addresses of the prefix in that window. */
  minAddresses: number;
  /** The prefix's distinct addresses as a share of the site's in that window (0–1). */
  minAddressShare: number;
}

export const DEFAULT_PREFIX_FLOOD: Readonly<PrefixFloodOptions> = Object.freeze({
  minRequests: 300,
  minAddresses: 20,
  minAddressShare: 0.02,
});

export function prefixFloodOptions(
  overrides: Partial<PrefixFloodOptions> = {},
): PrefixFloodOptions {
  const o = { ...DEFAULT_PREFIX_FLOOD, ...overrides };
  if (!Number.isInteger(o.minRequests) || o.minRequests < 1) {
    throw badFlag(`prefix-flood minRequests must be a whole number ≥ 1, got ${o.minRequests}`);
  }
  if (!Number.isInteger(o.minAddresses) || o.minAddresses < 1) {
    throw badFlag(`prefix-flood minAddresses must be a whole number ≥ 1, got ${o.minAddresses}`);
  }
  if (!(o.minAddressShare >= 0 && o.minAddressShare <= 1)) {
    throw badFlag(`prefix-flood minAddressShare must be between 0 and 1, got ${o.minAddressShare}`);
  }
  return o;
}

/**
 * The /24 of an IPv4 address (`203.0.113.0/24`) or the /64 of an IPv6 one
 * (`2001:db8:0:1::/64`, groups without leading zeros); an IPv4-mapped IPv6 address counts as
 * its IPv4. Anything else (a host name in the log) is its own prefix. Made as one flat string
 * (an array joined): it is looked up in the prefix table, where a concatenation would be
 * flattened on its first comparison.
 */
export function prefixOf(ip: string): string {
  const colon = ip.indexOf(':');
  const dot = ip.lastIndexOf('.');
  if (colon < 0) {
    return dot < 0 ? ip : [ip.slice(0, dot), '.0/24'].join('');
  }
  if (dot >= 0) return prefixOf(ip.slice(ip.lastIndexOf(':') + 1));
  return plainV6Prefix(ip) ?? v6Prefix(ip);
}

/** Hex digit of a char code: 0-9, a-f, A-F. */
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * The /64 of the common IPv6 address, read in one pass with no array per group: its first four
 * groups written out, each of one to four hex digits, with no `::` among them. null for anything
 * else, which v6Prefix reads (the same answer, by splitting).
 */
function plainV6Prefix(ip: string): string | null {
  const parts: string[] = [];
  let at = 0;
  for (let group = 0; group < 4; group++) {
    const start = at;
    while (at < ip.length && at - start < 5 && isHex(ip.charCodeAt(at))) at++;
    const digits = at - start;
    if (digits === 0 || digits > 4) return null;
    if (group < 3 && ip.charCodeAt(at) !== 58) return null;
    if (group === 3 && at < ip.length && ip.charCodeAt(at) !== 58) return null;
    let lead = start;
    while (lead < at - 1 && ip.charCodeAt(lead) === 48) lead++;
    parts.push(ip.slice(lead, at).toLowerCase(), group < 3 ? ':' : '::/64');
    at++;
  }
  // A `::` further on with more than eight groups is no address: v6Prefix answers it (it pads
  // nothing then), as it did before this fast path.
  if (ip.indexOf('::') >= 0) {
    let groups = 0;
    for (let i = 0; i < ip.length; i++) {
      if (ip.charCodeAt(i) !== 58 && (i === 0 || ip.charCodeAt(i - 1) === 58)) groups++;
    }
    if (groups > 8) return null;
  }
  return parts.join('');
}

/** The /64 of any text with a colon and no dot, by splitting it into groups. */
function v6Prefix(ip: string): string {
  const gap = ip.indexOf('::');
  const head = (gap < 0 ? ip : ip.slice(0, gap)).split(':').filter((g) => g !== '');
  const tail =
    gap < 0
      ? []
      : ip
          .slice(gap + 2)
          .split(':')
          .filter((g) => g !== '');
  // A host field is whatever the log says: with more than eight groups around a `::` there is
  // nothing to fill, not a negative count (which threw and ended the run).
  const fill = Math.max(0, 8 - head.length - tail.length);
  const groups = gap < 0 ? head : [...head, ...Array(fill).fill('0'), ...tail];
  const four = groups.slice(0, 4).map((g) => {
    const v = Number.parseInt(g, 16);
    return Number.isNaN(v) ? g.toLowerCase() : v.toString(16);
  });
  while (four.length < 4) four.push('0');
  return `${four.join(':')}::/64`;
}

/** Per-prefix state: requests per bucket, the addresses that point at it, the open alert. */
export class PrefixTable extends KeyedRings {
  alert: (Alert | null)[] = [];
  /** Address rows that point at each prefix row. */
  refs: Int32Array;
  /** At a window's close: the distinct addresses of the prefix active in the window. */
  distinct: Int32Array;
  /** At a window's close: the distinct addresses of the whole site active in the window. */
  siteDistinct = 0;

  constructor(slots: number) {
    super(slots, 1);
    this.refs = new Int32Array(this.capacity());
    this.distinct = new Int32Array(this.capacity());
  }

  protected override opened(row: number): void {
    this.alert[row] = null;
    this.refs[row] = 0;
    this.distinct[row] = 0;
  }

  protected override grown(rows: number): void {
    const refs = new Int32Array(rows);
    refs.set(this.refs);
    this.refs = refs;
    const distinct = new Int32Array(rows);
    distinct.set(this.distinct);
    this.distinct = distinct;
  }

  /** The prefix row of an address, made when new; the caller stores it with the address. */
  link(ip: string): number {
    const row = this.rowFor(prefixOf(ip));
    this.refs[row]++;
    return row;
  }

  /** An address row that pointed at `row` is gone. */
  unlink(row: number): void {
    if (row >= 0) this.refs[row]--;
  }
}

/**
 * After the address walk: judge every candidate prefix on the window [start, end), fold the
 * verdict into its alert, and free prefixes no address points at and with no open alert.
 */
export function judgePrefixFloods(
  o: PrefixFloodOptions,
  prefixes: PrefixTable,
  start: number,
  end: number,
  from: number,
  to: number,
  out: Alert[],
): void {
  for (let row = 0; row < prefixes.end; row++) {
    const key = prefixes.keys[row];
    if (key === null) continue;
    const distinct = prefixes.distinct[row];
    const open = prefixes.alert[row];
    if (open !== null || prefixes.total(row, 0) >= o.minRequests) {
      const requests = prefixes.sum(row, 0, from, to);
      prefixes.alert[row] = trackAlert(
        prefixes.alert[row],
        'prefix-flood',
        key,
        requests >= o.minRequests &&
          distinct >= o.minAddresses &&
          distinct >= o.minAddressShare * prefixes.siteDistinct,
        start,
        end,
        requests,
        o.minRequests,
        severityOf(requests, o.minRequests),
        out,
      );
    }
    if (prefixes.refs[row] <= 0 && prefixes.alert[row] === null) prefixes.remove(row);
  }
  prefixes.trim();
}
