/**
 * Closing one hopping window for every key: each live address is judged by scanner then
 * ip-flood (a scanner is not also a flood) and counted for its prefix when the prefix is a
 * prefix-flood candidate, each prefix is judged by prefix-flood, each live URL by error-spike,
 * and keys that have no window left open and no open alert are evicted. Rows are walked in
 * order through the flat tables, so the cost is a sequential pass over the live keys. (The
 * slow-scan table has its own long window: engine.ts closes it after this.)
 */
import type { Alert } from './alert';
import { judgeErrorSpike, type UrlTable } from './detectors/error-spike';
import { IP_REQUESTS, type IpTable } from './detectors/ip-activity';
import { judgeIpFlood } from './detectors/ip-flood';
import {
  judgePrefixFloods,
  markPrefixCandidates,
  type PrefixTable,
} from './detectors/prefix-flood';
import { judgeScanner } from './detectors/scanner';
import type { SlowScanTable } from './detectors/slow-scan';
import type { DetectionSettings } from './settings';

/**
 * Judge the window ending at `end` (buckets of `width` ms) for every key; alert lines go to `out`.
 */
export interface KeyedTables {
  ips: IpTable;
  urls: UrlTable;
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
  if (prefixFlood !== null) markPrefixCandidates(prefixFlood, prefixes, from, to);
  if (s.scanner !== null || s.ipFlood !== null || prefixFlood !== null || s.slowScan !== null) {
    for (let row = 0; row < ips.end; row++) {
      const key = ips.keys[row];
      if (key === null) continue;
      const scanning =
        s.scanner !== null &&
        judgeScanner(s.scanner, ips, row, key, start, end, from, to, scratch, out);
      if (scanning && ips.slowRow[row] >= 0) slow.scannerAt[ips.slowRow[row]] = to - 1;
      if (s.ipFlood !== null) {
        judgeIpFlood(s.ipFlood, ips, row, key, start, end, from, to, scanning, out);
      }
      const p = ips.prefixRow[row];
      if (p >= 0 && prefixes.distinct[p] >= 0 && ips.sum(row, IP_REQUESTS, from, to) > 0) {
        prefixes.distinct[p]++;
      }
      if (ips.last[row] < nextFrom && ips.flood[row] === null && ips.scan[row] === null) {
        prefixes.unlink(p);
        ips.remove(row);
      }
    }
    ips.trim();
  }
  if (prefixFlood !== null) judgePrefixFloods(prefixFlood, prefixes, start, end, from, to, out);
  if (s.errorSpike !== null) {
    for (let row = 0; row < urls.end; row++) {
      const key = urls.keys[row];
      if (key === null) continue;
      judgeErrorSpike(s.errorSpike, urls, row, key, start, end, from, to, out);
      if (urls.last[row] < nextFrom && urls.alert[row] === null) urls.remove(row);
    }
    urls.trim();
  }
}
