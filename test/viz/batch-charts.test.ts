/**
 * The batch jobs' charts: the data each spec carries from the rows of the hand-made log
 * (test/batch/fixtures/small-log.ts, rows as test/batch/jobs-exact.test.ts counts them), the
 * text they draw, and URLs from log lines staying text in the SVG.
 */
import { describe, expect, it } from 'vitest';
import { JOB_NAMES } from '../../src/batch/jobs/index';
import { ANOMALY_THRESHOLD } from '../../src/batch/jobs/ip-anomalies';
import {
  IP_ANOMALY_THRESHOLD,
  ipAnomaliesChart,
  jobChart,
  jobCharts,
  sessionsChart,
} from '../../src/viz/batch-charts';
import {
  peakHoursChart,
  statusColors,
  statusPerHourChart,
  uniqueVisitorsChart,
} from '../../src/viz/batch-hour-charts';
import {
  bytesPerRouteChart,
  errorsChart,
  slowPagesChart,
  topUrlsChart,
} from '../../src/viz/batch-top-charts';
import type { ChartSpec } from '../../src/viz/render';
import { renderSvg } from '../../src/viz/render';

const ERRORS = [
  { url: '/missing', status: 404, count: 2 },
  { url: '/b', status: 500, count: 1 },
  { url: '/b?y=2', status: 500, count: 1 },
];
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
const BUSY: Record<string, number> = { '00': 4, '10': 5, '11': 1, '23': 1 };
const PEAK_HOURS = HOURS.map((hour) => ({
  hour,
  requests: BUSY[hour] ?? 0,
  peak: hour === '10',
}));
const TOP_URLS = [
  { url: '/a', hits: 5 },
  { url: '/missing', hits: 2 },
  { url: '/b', hits: 1 },
];
const IP_ANOMALIES = [
  { ip: '10.0.0.9', requests: 40, errors: 0, distinctUrls: 1, score: 48.56, flagged: true },
  { ip: '10.0.0.1', requests: 4, errors: 1, distinctUrls: 3, score: 1.35, flagged: false },
  { ip: '10.0.0.4', requests: 1, errors: 0, distinctUrls: 1, score: -2.7, flagged: false },
];
const UNIQUE_VISITORS = [
  { date: '2026-12-05', visitors: 4 },
  { date: '2026-12-06', visitors: 3 },
];
const BYTES_PER_ROUTE = [
  { route: '/a', requests: 5, bytes: 400, avgBytes: 80 },
  { route: '/b', requests: 3, bytes: 2_500_000, avgBytes: 833_333 },
];
const STATUS_PER_HOUR = [
  { hour: '00', status: 200, requests: 2 },
  { hour: '00', status: 304, requests: 1 },
  { hour: '00', status: 404, requests: 1 },
  { hour: '10', status: 200, requests: 3 },
  { hour: '10', status: 500, requests: 2 },
  { hour: '11', status: 404, requests: 1 },
  { hour: '23', status: 200, requests: 1 },
];
const SLOW_PAGES = [
  {
    route: '/search',
    requests: 1200,
    p50Ms: 140,
    p95Ms: 1850.5,
    p99Ms: 2400,
    maxMs: 3000,
    untimed: 0,
  },
  { route: '/a', requests: 20, p50Ms: 2.25, p95Ms: 9.5, p99Ms: 12, maxMs: 12, untimed: 2 },
];

// The sessions job's rows on the hand-made log (test/batch/jobs-exact.test.ts).
const sessionRow = (measure: string, bucket: string, sessions = 0, pages = 0, seconds = 0) => ({
  measure,
  bucket,
  sessions,
  pages,
  seconds,
});
const SESSIONS = [
  sessionRow('length', '< 1 s', 4, 4, 0),
  sessionRow('length', '1 s - 1 min'),
  sessionRow('length', '1-5 min', 1, 2, 60),
  sessionRow('length', '5-15 min', 1, 2, 600),
  sessionRow('length', '30-60 min', 1, 3, 1801),
  sessionRow('pages', '1', 4, 4, 0),
  sessionRow('pages', '2', 2, 4, 660),
  sessionRow('pages', '3-4', 1, 3, 1801),
  sessionRow('pages', '5-9'),
];

type Spec = ChartSpec & {
  title: { text: string; subtitle: string };
  data?: { values: unknown[] };
  layer?: { data?: { values: unknown[] }; layer?: { data?: { values: unknown[] } }[] }[];
};
const spec = (s: ChartSpec) => s as Spec;

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe('batch charts: the data of each spec', () => {
  it('errors: "status URL" bars in the rows order, coloured by class', () => {
    const s = spec(errorsChart(ERRORS));
    expect(s.data?.values).toEqual([
      { label: '404 /missing', class: '4xx', count: 2, text: '2' },
      { label: '500 /b', class: '5xx', count: 1, text: '1' },
      { label: '500 /b?y=2', class: '5xx', count: 1, text: '1' },
    ]);
    expect(s.title).toEqual({
      text: 'Errors by URL and status',
      subtitle: '4 error answers in the 3 rows shown',
    });
  });

  it('peak-hours: 24 hours, only the busiest labelled', () => {
    const s = spec(peakHoursChart(PEAK_HOURS));
    const values = s.data?.values as { hour: string; label: string; peak: boolean }[];
    expect(values.map((v) => v.hour)).toEqual(HOURS);
    expect(values.filter((v) => v.label !== '')).toEqual([
      { hour: '10', requests: 5, peak: true, label: '5' },
    ]);
    expect(s.title.subtitle).toBe('busiest hour 10:00 UTC with 5 of 11 requests');
  });

  it('top-urls: URLs most first with their hits', () => {
    const s = spec(topUrlsChart(TOP_URLS));
    expect(s.data?.values).toEqual([
      { url: '/a', hits: 5, text: '5' },
      { url: '/missing', hits: 2, text: '2' },
      { url: '/b', hits: 1, text: '1' },
    ]);
    expect(s.title.subtitle).toBe('8 hits on the 3 URLs shown');
  });

  it('ip-anomalies: points by requests and score, flagged ones named, the threshold rule', () => {
    const s = spec(ipAnomaliesChart(IP_ANOMALIES));
    expect(s.layer?.[0].data?.values).toEqual([
      {
        ip: '10.0.0.9',
        requests: 40,
        errors: 0,
        distinctUrls: 1,
        score: 48.56,
        flagged: 'flagged',
        label: '10.0.0.9',
      },
      {
        ip: '10.0.0.1',
        requests: 4,
        errors: 1,
        distinctUrls: 3,
        score: 1.35,
        flagged: 'not flagged',
        label: '',
      },
      {
        ip: '10.0.0.4',
        requests: 1,
        errors: 0,
        distinctUrls: 1,
        score: -2.7,
        flagged: 'not flagged',
        label: '',
      },
    ]);
    expect(s.layer?.[2].data?.values).toEqual([{ threshold: 3.5, label: 'threshold 3.5' }]);
    expect(s.title.subtitle).toBe('1 of 3 addresses shown flagged above the threshold 3.5');
  });

  it("ip-anomalies: the chart's threshold is the job's", () => {
    expect(IP_ANOMALY_THRESHOLD).toBe(ANOMALY_THRESHOLD);
  });

  it('ip-anomalies: only the five highest flagged addresses are named', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({
      ip: `10.1.0.${i}`,
      requests: 100 - i,
      errors: 0,
      distinctUrls: 1,
      score: 10 - i,
      flagged: true,
    }));
    const values = spec(ipAnomaliesChart(many)).layer?.[0].data?.values as { label: string }[];
    expect(values.map((v) => v.label)).toEqual([
      '10.1.0.0',
      '10.1.0.1',
      '10.1.0.2',
      '10.1.0.3',
      '10.1.0.4',
      '',
      '',
    ]);
  });

  it('unique-visitors: one bar per day', () => {
    expect(spec(uniqueVisitorsChart(UNIQUE_VISITORS)).data?.values).toEqual([
      { date: '2026-12-05', visitors: 4, label: '4' },
      { date: '2026-12-06', visitors: 3, label: '3' },
    ]);
  });

  it('bytes-per-route: bytes with the requests in the label', () => {
    const s = spec(bytesPerRouteChart(BYTES_PER_ROUTE));
    expect(s.data?.values).toEqual([
      { route: '/a', bytes: 400, text: '0.4 KB in 5 requests' },
      { route: '/b', bytes: 2_500_000, text: '2.5 MB in 3 requests' },
    ]);
    expect(s.title.subtitle).toBe('2.5 MB sent on the 2 routes shown');
  });

  it('slow-pages: p95 bars, p50 and p99 in the label', async () => {
    const s = spec(slowPagesChart(SLOW_PAGES));
    expect(s.data?.values).toEqual([
      {
        route: '/search',
        p95Ms: 1850.5,
        text: '1,851 ms (p50 140 ms, p99 2,400 ms, 1,200 requests)',
      },
      { route: '/a', p95Ms: 9.5, text: '9.5 ms (p50 2.3 ms, p99 12 ms, 20 requests)' },
    ]);
    expect(s.title.subtitle).toBe('1,220 timed requests on the 2 routes shown');
    expect(texts(await renderSvg(s))).toEqual(expect.arrayContaining(['/search', '/a']));
  });

  it('status-per-hour: a stacked bar per hour, each status in its class colour', () => {
    const s = spec(statusPerHourChart(STATUS_PER_HOUR));
    expect(s.data?.values).toEqual(
      STATUS_PER_HOUR.map((r) => ({
        hour: r.hour,
        status: String(r.status),
        requests: r.requests,
      })),
    );
    expect(s.title.subtitle).toBe('11 requests, 36.4% answered 4xx or 5xx');
    expect(statusColors([500, 200, 404, 304, 200, 201])).toEqual({
      domain: ['200', '201', '304', '404', '500'],
      range: ['#4c9a55', '#85c28c', '#4a7fc1', '#e3a23b', '#d1453b'],
    });
  });

  it('sessions: two histograms in bucket order, the exact averages in the subtitle', async () => {
    const s = spec(sessionsChart(SESSIONS)) as Spec & {
      hconcat: { transform: unknown; encoding?: unknown; layer: { encoding: { x: unknown } }[] }[];
    };
    expect(s.data?.values).toEqual(
      SESSIONS.map((r) => ({
        measure: r.measure,
        bucket: r.bucket,
        sessions: r.sessions,
        label: r.sessions === 0 ? '' : String(r.sessions),
      })),
    );
    expect(s.hconcat.map((v) => v.transform)).toEqual([
      [{ filter: { field: 'measure', equal: 'length' } }],
      [{ filter: { field: 'measure', equal: 'pages' } }],
    ]);
    expect(s.hconcat.map((v) => (v.layer[0].encoding.x as { sort: string[] }).sort)).toEqual([
      ['< 1 s', '1 s - 1 min', '1-5 min', '5-15 min', '30-60 min'],
      ['1', '2', '3-4', '5-9'],
    ]);
    // 2461 s and 11 pages over 7 sessions.
    expect(s.title.subtitle).toBe(
      '7 sessions, 5.9 min and 1.6 pages on average; per address and user agent, 30 minutes without a request ends a session',
    );
    const t = texts(await renderSvg(s));
    expect(t).toEqual(
      expect.arrayContaining(['session length', 'pages per session', '1-5 min', '3-4', '4']),
    );
    expect(spec(sessionsChart([])).title.subtitle).toMatch(/^no sessions;/);
  });

  it('jobChart: a chart for every built-in job, none for a job of your own', () => {
    const rows: Record<string, object[]> = {
      errors: ERRORS,
      'peak-hours': PEAK_HOURS,
      'top-urls': TOP_URLS,
      'ip-anomalies': IP_ANOMALIES,
      'unique-visitors': UNIQUE_VISITORS,
      'bytes-per-route': BYTES_PER_ROUTE,
      'status-per-hour': STATUS_PER_HOUR,
      sessions: SESSIONS,
      'slow-pages': SLOW_PAGES,
    };
    expect(Object.keys(rows)).toEqual(JOB_NAMES);
    const titles = JOB_NAMES.map((name) => spec(jobChart({ name, rows: rows[name] }) as ChartSpec));
    expect(titles.map((s) => s.title.text)).toEqual([
      'Errors by URL and status',
      'Peak usage: requests per hour',
      'Top URLs by hits',
      'IP anomalies: requests against score',
      'Unique visitors per day',
      'Bytes per route',
      'Status mix per hour',
      'Sessions: how long, how many pages',
      'Slow pages: p95 response time per route',
    ]);
    expect(jobChart({ name: 'my-job', rows: [] })).toBeUndefined();
    const charts = jobCharts([
      { name: 'my-job', rows: [] },
      { name: 'errors', rows: ERRORS },
    ]);
    expect(Object.keys(charts)).toEqual(['errors']);
    expect(spec(charts.errors).title.text).toBe('Errors by URL and status');
  });
});

describe('batch charts: drawn', () => {
  it('every chart renders, with its labels as text', async () => {
    const t = texts(await renderSvg(errorsChart(ERRORS)));
    expect(t).toEqual(expect.arrayContaining(['404 /missing', '500 /b?y=2', '2']));
    const p = texts(await renderSvg(peakHoursChart(PEAK_HOURS)));
    expect(p).toEqual(expect.arrayContaining(['00', '23', '5', 'hour (UTC)']));
    const a = texts(await renderSvg(ipAnomaliesChart(IP_ANOMALIES)));
    expect(a).toEqual(expect.arrayContaining(['10.0.0.9', 'threshold 3.5']));
    expect(a).not.toContain('10.0.0.1');
  });

  it('URLs and addresses from log lines stay text: no tag of theirs reaches the SVG', async () => {
    const hostile = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'];
    const charts = [
      errorsChart(hostile.map((url, i) => ({ url, status: 404, count: 2 - i }))),
      topUrlsChart(hostile.map((url, i) => ({ url, hits: 2 - i }))),
      bytesPerRouteChart(
        hostile.map((route, i) => ({ route, requests: 1, bytes: 9 - i, avgBytes: 9 })),
      ),
      slowPagesChart(
        hostile.map((route, i) => ({
          route,
          requests: 20,
          p50Ms: 1,
          p95Ms: 9 - i,
          p99Ms: 9,
          maxMs: 9,
          untimed: 0,
        })),
      ),
      ipAnomaliesChart(
        hostile.map((ip, i) => ({
          ip,
          requests: 9 - i,
          errors: 0,
          distinctUrls: 1,
          score: 9 - i,
          flagged: true,
        })),
      ),
    ];
    for (const chart of charts) {
      const svg = await renderSvg(chart);
      expect(svg).not.toMatch(/<script|<img|onerror=alert\(1\)>/i);
      expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
  });
});
