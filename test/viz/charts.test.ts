import { describe, expect, it } from 'vitest';
import type { BenchReport, BenchRow } from '../../src/bench/harness';
import { benchChart } from '../../src/viz/bench-chart';
import { trafficPerMinute } from '../../src/viz/prepare';
import { renderSvg } from '../../src/viz/render';
import { statusMixChart } from '../../src/viz/status-chart';
import { trafficPerMinuteChart } from '../../src/viz/traffic-chart';

const T0 = Date.UTC(2025, 2, 1, 0, 0, 0);

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

function count(svg: string, pattern: RegExp): number {
  return svg.match(pattern)?.length ?? 0;
}

describe('trafficPerMinuteChart', () => {
  const records: { time: number; status: number }[] = [];
  for (let m = 0; m < 180; m++) {
    for (let i = 0; i < 10; i++)
      records.push({ time: T0 + m * 60_000 + i, status: i === 0 ? 404 : 200 });
  }
  const points = trafficPerMinute(records);

  it('titles the chart and both panels, with units', async () => {
    const svg = await renderSvg(trafficPerMinuteChart(points, { subtitle: 'seed 7' }));
    const t = texts(svg);
    expect(t).toContain('Traffic per minute');
    expect(t).toContain('seed 7');
    expect(t).toContain('all requests per minute');
    expect(t).toContain('errors per minute');
    expect(t).toContain('time (UTC)');
    expect(t).toContain('01:00');
    // One line for all requests, one each for 4xx and 5xx.
    expect(count(svg, /aria-roledescription="line mark"/g)).toBe(3);
    expect(count(svg, /aria-roledescription="rect mark"/g)).toBe(0);
  });

  it('shades and labels each incident', async () => {
    const incidents = [
      { kind: 'error-burst', key: '/cart', start: T0 + 30 * 60_000, end: T0 + 40 * 60_000 },
      { kind: 'scanner', key: '10.0.0.9', start: T0 + 90 * 60_000, end: T0 + 95 * 60_000 },
    ];
    const svg = await renderSvg(trafficPerMinuteChart(points, { incidents }));
    const t = texts(svg);
    expect(t.filter((s) => s === 'error-burst')).toHaveLength(1);
    expect(t.filter((s) => s === 'scanner')).toHaveLength(1);
    // The shading is drawn in both panels: two rects in each.
    expect(count(svg, /aria-roledescription="rect mark"/g)).toBe(4);
    const burst =
      'incident: error-burst; key: /cart; from (UTC): 2025-03-01 00:30:00; to (UTC): 2025-03-01 00:40:00"';
    expect(svg.split(burst)).toHaveLength(3);
    expect(count(svg, /incident: scanner; key: 10\.0\.0\.9;/g)).toBe(2);
  });

  it('draws a one-minute incident at least 6 px wide', async () => {
    const incidents = [{ kind: 'ip-flood', start: T0 + 60 * 60_000, end: T0 + 61 * 60_000 }];
    const svg = await renderSvg(trafficPerMinuteChart(points, { incidents, width: 640 }));
    // 179 minutes over 640 px: one minute is 3.6 px, widened to 6 px around its middle.
    const widths = [...svg.matchAll(/aria-roledescription="rect mark" d="M[\d.]+,0h([\d.]+)v/g)];
    expect(widths).toHaveLength(2);
    for (const m of widths) expect(Number(m[1])).toBeCloseTo(6, 3);
  });

  it('names the bucket width on the axes', async () => {
    const fiveMin = trafficPerMinute(records, { bucketMs: 300_000 });
    const t = texts(await renderSvg(trafficPerMinuteChart(fiveMin, { bucketMs: 300_000 })));
    expect(t).toContain('all requests per 5 min');
    expect(t).toContain('errors per 5 min');
  });
});

describe('statusMixChart', () => {
  it('draws one bar per status code, labelled with count and share', async () => {
    const svg = await renderSvg(statusMixChart({ 200: 9000, 304: 700, 404: 290, 500: 10 }));
    const t = texts(svg);
    expect(count(svg, /aria-roledescription="bar"/g)).toBe(4);
    expect(t).toContain('Status mix');
    expect(t).toContain('10,000 requests');
    expect(t).toContain('HTTP status');
    expect(t).toContain('requests');
    expect(t).toContain('9,000 (90.0%)');
    expect(t).toContain('290 (2.9%)');
    // Below 0.1% a share gets two decimals so that it does not read as 0.
    const tiny = texts(await renderSvg(statusMixChart({ 200: 99_950, 503: 50 })));
    expect(tiny).toContain('50 (0.05%)');
  });
});

function row(name: string, group: string, linesPerSec: number): BenchRow {
  return {
    name,
    group,
    kind: 'tinybench',
    opsPerSec: linesPerSec / 1000,
    meanMs: 1,
    p50Ms: 1,
    p99Ms: 1,
    rmePct: 1.5,
    samples: 50,
    per: { lines: 1000 },
    linesPerSec,
  };
}

const report: BenchReport = {
  stage: 'parse',
  date: '2025-03-01T12:00:00.000Z',
  machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 4, node: 'v20.0.0', os: 'linux' },
  rows: [
    row('loglab combined', 'combined', 2_500_000),
    row('regex combined', 'combined', 700_000),
    row('loglab json', 'json', 1_200_000),
  ],
  ratios: [
    {
      label: 'loglab / regex, combined',
      subject: 'loglab combined',
      baseline: 'regex combined',
      value: 2_500_000 / 700_000,
      target: 3,
    },
  ],
  notes: [],
};

describe('benchChart', () => {
  it('draws one bar per task in domain units, the baseline grey, the ratio on its subject', async () => {
    const svg = await renderSvg(benchChart(report));
    const t = texts(svg);
    expect(count(svg, /aria-roledescription="bar"/g)).toBe(3);
    expect(count(svg, /fill="#a7a7a7"/g)).toBe(1); // the baseline bar
    expect(t).toContain('parse: throughput');
    expect(t).toContain('throughput (million lines/s)');
    expect(t).toContain('2.5  (3.6x)');
    expect(t).toContain('0.7');
    // Each bar is named by its task, under a heading for its group.
    for (const name of ['loglab combined', 'regex combined', 'loglab json', 'combined', 'json']) {
      expect(t).toContain(name);
    }
  });

  it('draws MB/s or ops/s when asked or when lines are missing', async () => {
    const mb = texts(await renderSvg(benchChart(report, { metric: 'bytes' })));
    expect(mb).toContain('throughput (MB/s)');
    const noLines = { ...report, rows: report.rows.map(({ linesPerSec, ...r }) => r) };
    const ops = texts(await renderSvg(benchChart(noLines)));
    expect(ops).toContain('throughput (ops/s)');
    expect(ops).toContain('2,500  (3.6x)');
  });

  it('names the grey as the baseline only when a baseline bar is drawn', async () => {
    const key = 'Test CPU, 2 cores, Node v20.0.0 · 2025-03-01 · grey = baseline';
    expect(texts(await renderSvg(benchChart(report)))).toContain(key);
    const noBaseline = { ...report, ratios: [] };
    const svg = await renderSvg(benchChart(noBaseline));
    expect(count(svg, /fill="#a7a7a7"/g)).toBe(0);
    expect(texts(svg)).toContain('Test CPU, 2 cores, Node v20.0.0 · 2025-03-01');
    expect(texts(svg)).not.toContain(key);
  });
});
