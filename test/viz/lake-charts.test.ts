import { describe, expect, it } from 'vitest';
import { placeBlocks } from '../../src/storage/hdfs-blocks';
import {
  archiveProgressChart,
  hdfsBlocksChart,
  hourPartitionChart,
} from '../../src/viz/lake-charts';
import { renderSvg } from '../../src/viz/render';

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe('lake charts', () => {
  it('hdfsBlocksChart: the NameNode, every DataNode, and one labelled box per replica', async () => {
    const replicas = placeBlocks(300 * 1048576, { dataNodes: 4 });
    const svg = await renderSvg(
      hdfsBlocksChart(replicas, { dataNodes: 4, fileName: '/loglab/raw/x.log' }),
    );
    const t = texts(svg);
    expect(t).toContain('How HDFS stores a file');
    expect(t).toContain('/loglab/raw/x.log');
    expect(t).toContain(
      '→ block 1 (128 MB), block 2 (128 MB), block 3 (44 MB); each on 3 DataNodes',
    );
    for (let i = 1; i <= 4; i++) expect(t).toContain(`DataNode ${i}`);
    const boxes = t.filter((x) => x.startsWith('block ')).sort();
    expect(boxes).toEqual([
      'block 1',
      'block 1, copy 2',
      'block 1, copy 3',
      'block 2',
      'block 2, copy 2',
      'block 2, copy 3',
      'block 3',
      'block 3, copy 2',
      'block 3, copy 3',
    ]);
  });

  it('hourPartitionChart: bytes and lines per hour, dead letters last, totals in the subtitle', async () => {
    const svg = await renderSvg(
      hourPartitionChart([
        { hour: 'date=2026-12-05/hour=10', files: 3, bytes: 300 * 1024, lines: 1500 },
        { hour: 'date=2026-12-05/hour=11', files: 4, bytes: 500 * 1024, lines: 2500 },
        { hour: 'deadletter', files: 2, bytes: 3 * 1024, lines: 12 },
      ]),
    );
    const t = texts(svg);
    expect(t).toContain('4,012 lines, 0.8 MB in 9 files');
    for (const label of [
      '2026-12-05 10h',
      '2026-12-05 11h',
      'deadletter',
      '300',
      '500',
      '1,500',
      '2,500',
      '12',
    ]) {
      expect(t).toContain(label);
    }
  });

  it('archiveProgressChart: lines over time, with the rate of the whole run', async () => {
    const svg = await renderSvg(
      archiveProgressChart([
        { seconds: 0, lines: 0, bytes: 0 },
        { seconds: 0.5, lines: 1000, bytes: 1048576 },
        { seconds: 2, lines: 4000, bytes: 4 * 1048576 },
      ]),
    );
    expect(texts(svg)).toContain('4,000 lines in 2.00 s: 2,000 lines/s, 2.0 MB/s');
  });
});
