import { describe, expect, it } from 'vitest';
import {
  alertTimelineChart,
  detectionQualityChart,
  hourlyStatusChart,
  renderSvg,
  stageThroughputChart,
  topBarChart,
} from '../../src/viz/index';

// biome-ignore lint/suspicious/noExplicitAny: the specs are read back as plain JSON
type Json = any;
const layers = (spec: unknown) => (spec as Json).layer as Json[];

describe('hourlyStatusChart', () => {
  it('adds up each hour by status class and labels the busiest hour', () => {
    const spec = hourlyStatusChart([
      { hour: 9, status: 200, requests: 50 },
      { hour: 9, status: 204, requests: 5 },
      { hour: 9, status: 503, requests: 2 },
      { hour: 18, status: 200, requests: 70 },
    ]);
    expect(layers(spec)[0].data.values).toEqual([
      { hour: '09:00', class: '2xx', requests: 55 },
      { hour: '09:00', class: '5xx', requests: 2 },
      { hour: '18:00', class: '2xx', requests: 70 },
    ]);
    expect(layers(spec)[1].data.values).toEqual([{ hour: '18:00', requests: 70 }]);
    expect((spec as Json).title.subtitle).toBe('peak 18:00 with 70 requests, of 127');
  });
});

describe('hourlyStatusChart without statuses', () => {
  it('draws hours whose status is not known as one unsplit bar each, without a legend', () => {
    const spec = hourlyStatusChart([
      { hour: 9, status: null, requests: 55 },
      { hour: 18, status: null, requests: 70 },
    ]);
    expect(layers(spec)[0].data.values).toEqual([
      { hour: '09:00', class: 'all', requests: 55 },
      { hour: '18:00', class: 'all', requests: 70 },
    ]);
    expect(layers(spec)[0].encoding.color.scale).toEqual({ domain: ['all'], range: ['#4a7fc1'] });
    expect(layers(spec)[0].encoding.color.legend).toBe(null);
  });
});

describe('topBarChart', () => {
  it('ranks the keys and cuts long ones, keeping the whole key for the tooltip', () => {
    const long = `/${'a'.repeat(60)}`;
    const spec = topBarChart(
      [
        { key: '/', value: 9 },
        { key: long, value: 3 },
      ],
      { maxKeyLength: 10 },
    );
    expect((spec as Json).data.values).toEqual([
      { rank: 1, label: '1. /', key: '/', value: 9 },
      { rank: 2, label: '2. /aaaaaaaa…', key: long, value: 3 },
    ]);
  });
});

describe('alertTimelineChart', () => {
  it('gives each key a lane in order of its first event, and widens short spans to be seen', () => {
    const h = 3_600_000;
    const spec = alertTimelineChart(
      [{ kind: 'ip-flood', key: '10.0.0.9', start: 10 * h, end: 10 * h + 60_000 }],
      [
        { kind: 'anomaly', key: 'requests-spike', from: 2 * h, to: 2 * h, openedAt: 2 * h },
        { kind: 'ip-flood', key: '10.0.0.9', from: 10 * h, to: 11 * h, openedAt: 10 * h + 1 },
      ],
      { span: { start: 0, end: 24 * h }, width: 480 },
    );
    const [extent, truth, bars] = layers(spec);
    expect(extent.data.values).toEqual([{ t: 0 }, { t: 24 * h }]);
    expect(truth.encoding.y.sort).toEqual(['site: requests-spike', '10.0.0.9']);
    // 4 px of 480 over a day is 12 minutes: a 1-minute incident is drawn 12 minutes wide.
    expect(truth.data.values[0].x2 - truth.data.values[0].x).toBe(12 * 60_000);
    expect(bars.data.values.map((b: Json) => [b.lane, b.x2 - b.x])).toEqual([
      ['site: requests-spike', 12 * 60_000],
      ['10.0.0.9', h],
    ]);
    expect(bars.encoding.color.scale.domain).toEqual(['ip-flood', 'anomaly']);
  });
});

describe('alertTimelineChart with long keys', () => {
  it('keeps two URLs alike in their first 40 characters in two lanes, cutting only the label', async () => {
    const h = 3_600_000;
    const stem = `/${'a'.repeat(45)}`;
    const spec = alertTimelineChart(
      [],
      [
        { kind: 'error-spike', key: `${stem}/one`, from: h, to: 2 * h, openedAt: h },
        { kind: 'error-spike', key: `${stem}/two`, from: 3 * h, to: 4 * h, openedAt: 3 * h },
      ],
      { span: { start: 0, end: 24 * h } },
    );
    const [, truth, bars] = layers(spec);
    expect(truth.encoding.y.sort).toEqual([`${stem}/one`, `${stem}/two`]);
    expect(bars.data.values.map((b: Json) => b.lane)).toEqual([`${stem}/one`, `${stem}/two`]);
    const svg = await renderSvg(spec);
    // Two axis labels, both cut (vega's 300 px limit cuts a little more than our 40 characters).
    expect(svg.match(/>\/a+…<\/text>/g)?.length).toBe(2);
  });
});

describe('detectionQualityChart and stageThroughputChart', () => {
  it('leave out an undefined ratio, and label each stage with its figures', () => {
    const q = detectionQualityChart([{ kind: 'scanner', precision: null, recall: 0.5 }]);
    expect((q as Json).data.values).toEqual([{ kind: 'scanner', measure: 'recall', value: 0.5 }]);
    const t = stageThroughputChart([{ stage: 'batch', lines: 1_000_000, seconds: 4 }]);
    expect((t as Json).data.values).toEqual([
      { stage: 'batch', rate: 250_000, label: '250,000 lines/s (1,000,000 lines in 4.00 s)' },
    ]);
  });
});
