/**
 * pipeline.runEmbeddedDemo, as a notebook calls it through the library's index: every stage on
 * the embedded engine, the lake inside the output folder, the record and the page written there.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pipeline } from '../../src/index';
import { demoTotals } from '../../src/pipeline/demo-totals';
import { parseRunRecord } from '../../src/report/run-record';

const dir = mkdtempSync(join(tmpdir(), 'loglab-embedded-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runEmbeddedDemo', () => {
  it('runs every stage into its own folder: the lake, run.json and report.html under outDir', async () => {
    const outDir = join(dir, 'run');
    const run = await pipeline.runEmbeddedDemo({ lines: 5000, seed: 7, outDir });
    expect(run.recordPath).toBe(join(outDir, 'run.json'));
    expect(run.reportPath).toBe(join(outDir, 'report.html'));
    expect(run.record.stages.map((s) => s.name)).toEqual([
      'generate + produce',
      'detection',
      'archive',
      'batch',
      'report',
    ]);
    const totals = demoTotals(run.record);
    expect([totals.produced, totals.consumed, totals.stored, totals.batchInput]).toEqual([
      5000, 5000, 5000, 5000,
    ]);
    expect(run.stream.checksum.equal).toBe(true);
    expect(existsSync(join(outDir, 'lake', 'loglab', 'raw'))).toBe(true);
    const written = parseRunRecord(readFileSync(run.recordPath, 'utf8'), 'run.json');
    expect(written).toEqual(run.record);
    expect(readFileSync(run.reportPath).length).toBe(run.reportBytes);
  }, 60_000);
});
