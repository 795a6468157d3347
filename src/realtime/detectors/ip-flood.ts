/**
 * ip-flood: an address with far more requests in a window than a person makes (the classic
 * "IP 192.168.1.100: 150 requests in 5 min"). An address that the scanner detector flags in the
 * same window is reported as a scanner only: one actor, one alert, the more specific one.
 */
import { badFlag } from '../../errors';
import { type Alert, severityOf, trackAlert } from '../alert';
import { IP_REQUESTS, type IpTable } from './ip-activity';

export interface IpFloodOptions {
  /** Requests from one address in one window that make a flood. */
  minRequests: number;
}

export const DEFAULT_IP_FLOOD: Readonly<IpFloodOptions> = Object.freeze({ minRequests: 150 });

export function ipFloodOptions(overrides: Partial<IpFloodOptions> = {}): IpFloodOptions {
  const o = { ...DEFAULT_IP_FLOOD, ...overrides };
  if (!Number.isInteger(o.minRequests) || o.minRequests < 1) {
    throw badFlag(`ip-flood minRequests must be a whole number ≥ 1, got ${o.minRequests}`);
  }
  return o;
}

/** Judge one address (a row of `ips`) on the closed window [start, end) (buckets [from, to)). */
export function judgeIpFlood(
  o: IpFloodOptions,
  ips: IpTable,
  row: number,
  key: string,
  start: number,
  end: number,
  from: number,
  to: number,
  scanning: boolean,
  out: Alert[],
): void {
  const open = ips.flood[row];
  if (open === null && ips.total(row, IP_REQUESTS) < o.minRequests) return;
  const requests = ips.sum(row, IP_REQUESTS, from, to);
  if (requests < o.minRequests && open === null) return;
  ips.flood[row] = trackAlert(
    open,
    'ip-flood',
    key,
    requests >= o.minRequests && !scanning,
    start,
    end,
    requests,
    o.minRequests,
    severityOf(requests, o.minRequests),
    out,
  );
}
