import { describe, expect, it } from 'vitest';
import { latenessEffects, watermarkTrace, windowsByKind } from '../../src/realtime/index';
import { renderSvg } from '../../src/viz/render';
import {
  latenessRows,
  watermarkChart,
  windowKindsChart,
  windowLabel,
} from '../../src/viz/window-charts';

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

function count(svg: string, pattern: RegExp): number {
  return svg.match(pattern)?.length ?? 0;
}

describe('windowKindsChart', () => {
  const times = [8000, 9200, 12400];
  const shapes = { sizeMs: 5000, hopMs: 2000, differenceMs: 5000 };
  const windows = windowsByKind(times, shapes);

  it('names each window by its interval, open or closed at the end, and labels its count', async () => {
    expect(windows.map(windowLabel).slice(0, 2)).toEqual(['[5000, 10000)', '[10000, 15000)']);
    expect(windowLabel(windows[windows.length - 1])).toBe('[9201, 14201]');
    const t = texts(await renderSvg(windowKindsChart(times, windows, shapes)));
    expect(t).toContain('Windows over the same events');
    expect(t).toContain('tumbling: 5000 ms windows, aligned to 0, [start, end)');
    expect(t).toContain('hopping: 5000 ms windows starting every 2000 ms, [start, end)');
    expect(t).toContain('sliding (Kafka Streams): time difference 5000 ms, [start, end]');
    for (const label of ['[3000, 8000]', '[8001, 13001]', '[8000, 13000)', '3 events', '1 event']) {
      expect(t).toContain(label);
    }
    expect(t).toContain('event time (ms)');
  });

  it('draws one bar per window and one dot per event in each window that holds it', async () => {
    const svg = await renderSvg(windowKindsChart(times, windows, shapes));
    expect(count(svg, /aria-roledescription="bar"/g)).toBe(windows.length);
    const held = windows.reduce((sum, w) => sum + w.count, 0);
    expect(count(svg, /aria-roledescription="point"/g)).toBe(held);
  });
});

describe('watermarkChart', () => {
  const arrivals = [3000, 4000, 3500, 6200, 4100, 4300];

  it('says how many events were late, with the legend and axes in their units', async () => {
    const steps = watermarkTrace(arrivals, 2000);
    const svg = await renderSvg(watermarkChart(steps, { latenessMs: 2000 }));
    const t = texts(svg);
    expect(t).toContain('Event time, arrival order and the watermark');
    expect(t).toContain('allowed lateness 2000 ms: 1 of 6 events arrived behind the watermark');
    for (const label of [
      'on time',
      'late (behind the watermark)',
      'newest event time seen',
      'watermark',
      'arrival order (n-th event to arrive)',
      'event time (ms)',
    ]) {
      expect(t).toContain(label);
    }
    // One point per event, one line each for the newest time and the watermark.
    expect(count(svg, /aria-roledescription="point"/g)).toBe(arrivals.length);
    expect(count(svg, /aria-roledescription="line mark"/g)).toBe(2);
  });
});

describe('latenessRows', () => {
  it('is one row per lateness with its late events and whether it matches sorted input', () => {
    const rows = latenessRows(latenessEffects([1000, 3000, 500], 2000, [0, 2500]));
    expect(rows).toEqual([
      {
        'allowed lateness (ms)': 0,
        'late events': 1,
        'windows (start–end: count)': '0–2000:1  2000–4000:1',
        'same as sorted input': 'no',
      },
      {
        'allowed lateness (ms)': 2500,
        'late events': 0,
        'windows (start–end: count)': '0–2000:2  2000–4000:1',
        'same as sorted input': 'yes',
      },
    ]);
  });
});
