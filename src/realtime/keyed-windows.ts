/**
 * Closing one hopping window for every key: each live address is judged by scanner then
 * ip-flood (a scanner is not also a flood) and counted for its prefix when the prefix is a
 * prefix-flood candidate, each prefix is judged by prefix-flood, each live URL by error-spike
 * and slow-page (one row per URL for both), and keys that have no window left open and no open
 * alert are evicted. Rows are walked in
 * order through the flat tables, so the cost is a sequential pass over the live keys. (The
 * slow-scan table has its own long window: engine.ts closes it after this.)
 */
import type { Alert } from './alert';
import { judgeErrorSpike } from './detectors/error-spike';
import { IP_NOT_FOUND, IP_REQUESTS, type IpTable } from './detectors/ip-activity';
import { judgeIpFlood } from './detectors/ip-flood';
import { judgePrefixFloods, type PrefixTable } from './detectors/prefix-flood';
import { judgeScanner } from './detectors/scanner';
import { judgeSlowPage, type SlowPageTable } from './detectors/slow-page';
import { SLOW_NOT_FOUND, SLOW_REQUESTS, type SlowScanTable } from './detectors/slow-scan';
import type { KeyedRings } from './keyed-rings';
import type { DetectionSettings } from './settings';

/**
 * Judge the window ending at `end` (buckets of `width` ms) for every key; alert lines go to `out`.
 */
/** Add a row's counts of buckets [from, to) of one channel to a row of another table. */
function handOn(
  source: KeyedRings,
  row: number,
  channel: number,
  target: KeyedRings,
  targetRow: number,
  targetChannel: number,
  from: number,
  to: number,
): void {
  for (let b = from; b < to; b++) {
    const n = source.get(row, channel, b);
    if (n > 0) target.add(targetRow, b, targetChannel, n);
  }
}

export interface KeyedTables {
  ips: IpTable;
  /** Per URL, for error-spike and slow-page. */
  urls: SlowPageTable;
  prefixes: PrefixTable;
  slow: SlowScanTable;
}

export function closeKeyedWindows(
  s: DetectionSettings,
  tables: KeyedTables,
  end: number,
  width: number,
  scratch: Set<string>,
  out: Alert[],
): void {
  const start = end - s.windowMs;
  const from = start / width;
  const to = end / width;
  // A key whose newest bucket is older than the next window's start has no window left open.
  const nextFrom = (start + s.hopMs) / width;
  const { ips, urls, prefixes, slow } = tables;
  const prefixFlood = s.prefixFlood;
  const slowScan = s.slowScan;
  // The buckets that became final with this close: each is handed on once.
  const handFrom = to - s.hopMs / width;
  if (prefixFlood !== null) {
    prefixes.distinct.fill(0, 0, prefixes.end);
    prefixes.siteDistinct = 0;
  }
  if (s.scanner !== null || s.ipFlood !== null || prefixFlood !== null || slowScan !== null) {
    for (let row = 0; row < ips.end; row++) {
      const key = ips.keys[row];
      if (key === null) continue;
      if (prefixFlood !== null) {
        let p = ips.prefixRow[row];
        if (p < 0) {
          p = prefixes.link(key);
          ips.prefixRow[row] = p;
        }
        handOn(ips, row, IP_REQUESTS, prefixes, p, 0, handFrom, to);
        // Active in the window: its newest bucket is in it, or it has requests in it.
        const last = ips.last[row];
        if (last >= from && (last < to || ips.sum(row, IP_REQUESTS, from, to) > 0)) {
          prefixes.distinct[p]++;
          prefixes.siteDistinct++;
        }
      }
      let w = -1;
      if (slowScan !== null) {
        w = ips.slowRow[row];
        if (w === -2) {
          w = slow.rowOf(key);
          ips.slowRow[row] = w;
        }
        if (w >= 0) {
          handOn(ips, row, IP_REQUESTS, slow, w, SLOW_REQUESTS, handFrom, to);
          handOn(ips, row, IP_NOT_FOUND, slow, w, SLOW_NOT_FOUND, handFrom, to);
        }
      }
      const scanning =
        s.scanner !== null &&
        judgeScanner(s.scanner, ips, row, key, start, end, from, to, scratch, out);
      if (scanning && w >= 0) slow.scannerAt[w] = to - 1;
      if (s.ipFlood !== null) {
        judgeIpFlood(s.ipFlood, ips, row, key, start, end, from, to, scanning, out);
      }
      if (ips.last[row] < nextFrom && ips.flood[row] === null && ips.scan[row] === null) {
        prefixes.unlink(ips.prefixRow[row]);
        ips.remove(row);
      }
    }
    ips.trim();
  }
  if (prefixFlood !== null) judgePrefixFloods(prefixFlood, prefixes, start, end, from, to, out);
  const errorSpike = s.errorSpike;
  const slowPage = s.slowPage;
  if (errorSpike !== null || slowPage !== null) {
    for (let row = 0; row < urls.end; row++) {
      const key = urls.keys[row];
      if (key === null) continue;
      if (errorSpike !== null)
        judgeErrorSpike(errorSpike, urls, row, key, start, end, from, to, out);
      if (slowPage !== null) {
        judgeSlowPage(slowPage, urls, row, key, start, end, from, to, handFrom, out);
      }
      if (urls.last[row] < nextFrom && urls.alert[row] === null && urls.pageAlert[row] === null) {
        urls.remove(row);
      }
    }
    urls.trim();
  }
}
