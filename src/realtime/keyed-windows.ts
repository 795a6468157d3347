/**
 * Closing one hopping window for every key: each live address is judged by scanner then
 * ip-flood (a scanner is not also a flood), each live URL by error-spike, and keys that have no
 * window left open and no open alert are evicted. Rows are walked in order through the flat
 * tables, so the cost is a sequential pass over the live keys.
 */
import type { Alert } from './alert';
import { judgeErrorSpike, type UrlTable } from './detectors/error-spike';
import type { IpTable } from './detectors/ip-activity';
import { judgeIpFlood } from './detectors/ip-flood';
import { judgeScanner } from './detectors/scanner';
import type { DetectionSettings } from './settings';

/**
 * Judge the window ending at `end` (buckets of `width` ms) for every key; alert lines go to `out`.
 */
export function closeKeyedWindows(
  s: DetectionSettings,
  ips: IpTable,
  urls: UrlTable,
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
  if (s.scanner !== null || s.ipFlood !== null) {
    for (let row = 0; row < ips.end; row++) {
      const key = ips.keys[row];
      if (key === null) continue;
      const scanning =
        s.scanner !== null &&
        judgeScanner(s.scanner, ips, row, key, start, end, from, to, scratch, out);
      if (s.ipFlood !== null) {
        judgeIpFlood(s.ipFlood, ips, row, key, start, end, from, to, scanning, out);
      }
      if (ips.last[row] < nextFrom && ips.flood[row] === null && ips.scan[row] === null) {
        ips.remove(row);
      }
    }
    ips.trim();
  }
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
