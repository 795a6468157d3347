/**
 * The hand-counted input of lab 05's edge cases, as two log files, and the rows the `sessions`
 * job reports for it.
 *
 * - 10.0.0.1 "UA-A": 10:00 (file 2), 10:30 and 11:00 (file 1, written after 11:00), 11:30:01
 *   (file 2). Gaps of exactly 30 min stay in the session, 30 min 1 s cuts it: a session of
 *   3600 s and 3 pages, then one of 0 s and 1 page.
 * - 10.0.0.1 "UA-B", same address: 10:10 (file 2), 10:20 (file 1): 600 s, 2 pages. Keyed by
 *   address alone it would join UA-A's first session (5 pages, 4 sessions in all).
 * - 10.0.0.2, user agent "-" at 12:00 (file 1) and "" at 12:20 (file 2): one visitor, 1200 s,
 *   2 pages.
 * - 10.0.0.3 "UA-C": one request at 13:00: 0 s, 1 page.
 *
 * 4 visitors, 5 sessions, 5400 s (1080 s a session), 9 pages (1.8 a session), at most 3. By
 * length: two under 1 s, 600 s in "5-15 min", 1200 s in "15-30 min", 3600 s in "1-2 h" (a
 * bucket's lower bound is in it); by pages: two of 1, two of 2, one of 3.
 */
function line(ip: string, time: string, path: string, agent: string): string {
  return `${ip} - - [05/Dec/2026:${time} +0000] "GET ${path} HTTP/1.1" 200 512 "-" "${agent}"\n`;
}

export const EDGE_FILES: readonly string[] = [
  line('10.0.0.1', '11:00:00', '/cart', 'UA-A') +
    line('10.0.0.1', '10:20:00', '/b', 'UA-B') +
    line('10.0.0.1', '10:30:00', '/product/7', 'UA-A') +
    line('10.0.0.2', '12:00:00', '/', '-') +
    line('10.0.0.3', '13:00:00', '/', 'UA-C'),
  line('10.0.0.1', '10:00:00', '/', 'UA-A') +
    line('10.0.0.1', '10:10:00', '/a', 'UA-B') +
    line('10.0.0.1', '11:30:01', '/checkout', 'UA-A') +
    line('10.0.0.2', '12:20:00', '/about', ''),
];

const row = (measure: string, bucket: string, sessions = 0, pages = 0, seconds = 0) => ({
  measure,
  bucket,
  sessions,
  pages,
  seconds,
});

export const EDGE_ROWS = [
  row('length', '< 1 s', 2, 2, 0),
  row('length', '1 s - 1 min'),
  row('length', '1-5 min'),
  row('length', '5-15 min', 1, 2, 600),
  row('length', '15-30 min', 1, 2, 1200),
  row('length', '30-60 min'),
  row('length', '1-2 h', 1, 3, 3600),
  row('length', '2-4 h'),
  row('length', '4 h +'),
  row('pages', '1', 2, 2, 0),
  row('pages', '2', 2, 4, 1800),
  row('pages', '3-4', 1, 3, 3600),
  row('pages', '5-9'),
  row('pages', '10-19'),
  row('pages', '20-49'),
  row('pages', '50-99'),
  row('pages', '100-999'),
  row('pages', '1000 +'),
];
