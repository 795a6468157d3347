import { describe, expect, it } from 'vitest';
import { renderSvg } from '../../src/viz/render';
import { partitionChart, streamThroughputChart } from '../../src/viz/stream-charts';

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

function count(svg: string, pattern: RegExp): number {
  return svg.match(pattern)?.length ?? 0;
}

describe('partitionChart', () => {
  const rows = [0, 1, 2].map((p) => ({
    partition: p,
    messages: 1000 * (p + 1),
    committed: null,
    lag: 1000 * (p + 1),
  }));

  it('draws one bar per partition, labelled with its count, with titles and units', async () => {
    const svg = await renderSvg(partitionChart(rows));
    const t = texts(svg);
    expect(t).toContain('Messages per partition');
    expect(t).toContain('6,000 messages in 3 partitions');
    expect(t).toContain('partition');
    expect(t).toContain('messages');
    for (const label of ['1,000', '2,000', '3,000']) expect(t).toContain(label);
    expect(count(svg, /aria-roledescription="bar"/g)).toBe(3);
    expect(t.some((x) => x.startsWith('lag'))).toBe(false);
  });

  it("splits each bar into what the group read and its lag, and names the highlighted key's partition", async () => {
    const withGroup = rows.map((r) => ({ ...r, committed: 500, lag: r.messages - 500 }));
    const svg = await renderSvg(
      partitionChart(withGroup, {
        title: 'Group realtime',
        highlight: { partition: 2, label: 'flood: 10.0.0.1' },
      }),
    );
    const t = texts(svg);
    expect(t).toContain('Group realtime');
    expect(t).toContain('read (committed)');
    expect(t).toContain('lag (not yet read)');
    expect(t).toContain('lag 500');
    expect(t).toContain('lag 2,500');
    expect(t).toContain('flood: 10.0.0.1');
    // Two stacked parts per partition.
    expect(count(svg, /aria-roledescription="bar"/g)).toBe(6);
  });
});

describe('streamThroughputChart', () => {
  const points = Array.from({ length: 20 }, (_, i) => ({
    seconds: (i + 1) / 10,
    produced: 20_000,
    consumed: i < 10 ? 20_000 : 0,
    lag: i < 10 ? 0 : (i - 9) * 2000,
  }));

  it('shows produced and consumed rates in a readable unit above the lag, on one time axis', async () => {
    const svg = await renderSvg(streamThroughputChart(points, { subtitle: 'embedded' }));
    const t = texts(svg);
    expect(t).toContain('Throughput and lag');
    expect(t).toContain('embedded');
    expect(t).toContain('thousand messages/s');
    expect(t).toContain('lag (messages)');
    expect(t).toContain('time since the start (s)');
    expect(t).toContain('produced');
    expect(t).toContain('consumed');
    expect(t).toContain('20,000');
    expect(count(svg, /aria-roledescription="line mark"/g)).toBe(2);
    expect(count(svg, /aria-roledescription="area mark"/g)).toBe(1);
  });

  it('keeps plain messages/s for small rates', async () => {
    const slow = points.map((p) => ({ ...p, produced: 50, consumed: 40 }));
    expect(texts(await renderSvg(streamThroughputChart(slow)))).toContain('messages/s');
  });
});
