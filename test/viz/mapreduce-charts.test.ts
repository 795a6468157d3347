/** The charts of how MapReduce runs: their data from plain rows, and the text they draw. */
import { describe, expect, it } from 'vitest';
import {
  combinerSavingsChart,
  reducerShareChart,
  runTimesChart,
} from '../../src/viz/mapreduce-charts';
import { type ChartSpec, renderSvg } from '../../src/viz/render';

type Spec = ChartSpec & {
  title: { text: string; subtitle?: string };
  data?: { values: unknown[] };
  layer: { data?: { values: unknown[] } }[];
};
const spec = (s: ChartSpec) => s as Spec;

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe('mapreduce charts', () => {
  it('reducerShareChart: a bar per reducer and series, the even share as a rule', async () => {
    const s = spec(
      reducerShareChart([
        { series: 'hot', reducer: 0, records: 1200, share: 0.75 },
        { series: 'hot', reducer: 1, records: 400, share: 0.25 },
        { series: 'combined', reducer: 0, records: 5, share: 0.5 },
        { series: 'combined', reducer: 1, records: 5, share: 0.5 },
      ]),
    );
    expect(s.layer[0].data?.values).toEqual([
      { series: 'hot', reducer: 'reducer 0', records: 1200, share: 0.75, label: '1,200' },
      { series: 'hot', reducer: 'reducer 1', records: 400, share: 0.25, label: '400' },
      { series: 'combined', reducer: 'reducer 0', records: 5, share: 0.5, label: '5' },
      { series: 'combined', reducer: 'reducer 1', records: 5, share: 0.5, label: '5' },
    ]);
    expect(s.layer[1].data?.values).toEqual([{ even: 0.5 }]);
    const t = texts(await renderSvg(s));
    expect(t).toEqual(expect.arrayContaining(['reducer 0', 'reducer 1', '1,200', '50%', 'hot']));
    expect(s.title.subtitle).toBe('dashed: an even split over 2 reducers; labels: records sent');
  });

  it('combinerSavingsChart: two bars per job, the saving in the label', async () => {
    const s = spec(
      combinerSavingsChart([
        { job: 'peak-hours', withCombiner: 265, withoutCombiner: 1_000_000, saved: 1 },
        { job: 'errors', withCombiner: 14_312, withoutCombiner: 133_639, saved: 0.893 },
        { job: 'sessions', withCombiner: 5000, withoutCombiner: 5000, saved: 0 },
      ]),
    );
    expect(s.data?.values).toEqual([
      { job: 'peak-hours', run: 'without combiner', bytes: 1_000_000, label: '1.0 MB' },
      { job: 'peak-hours', run: 'with combiner', bytes: 265, label: '0.3 KB (−99.97%)' },
      { job: 'errors', run: 'without combiner', bytes: 133_639, label: '133.6 KB' },
      { job: 'errors', run: 'with combiner', bytes: 14_312, label: '14.3 KB (−89%)' },
      { job: 'sessions', run: 'without combiner', bytes: 5000, label: '5.0 KB' },
      { job: 'sessions', run: 'with combiner', bytes: 5000, label: '5.0 KB (no saving)' },
    ]);
    expect(s.title.subtitle).toBe('1.1 MB without, 19.6 KB with');
    expect(texts(await renderSvg(s))).toContain('0.3 KB (−99.97%)');
  });

  it('runTimesChart: a bar per run with its seconds and lines per second', async () => {
    const s = spec(
      runTimesChart([
        { runner: 'embedded, 1 worker', seconds: 2.5, linesPerSec: 40_000 },
        { runner: 'Hadoop local runner', seconds: 61.25 },
      ]),
    );
    expect(s.data?.values).toEqual([
      { runner: 'embedded, 1 worker', seconds: 2.5, label: '2.50 s, 40,000 lines/s' },
      { runner: 'Hadoop local runner', seconds: 61.25, label: '61.25 s' },
    ]);
    expect(texts(await renderSvg(s))).toEqual(
      expect.arrayContaining(['embedded, 1 worker', '61.25 s']),
    );
  });
});
