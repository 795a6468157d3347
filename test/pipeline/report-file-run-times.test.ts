/**
 * The stages' times in the run record are not rounded: a stage that took 0.25 ms keeps 0.25 ms,
 * so its lines per second stays right (rounded to whole ms it was 0 s and no rate at all).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFileForReport } from '../../src/pipeline/report-file-run';
import { stageTableRows } from '../../src/report/rows';
import { SMALL_LOG } from '../batch/fixtures/small-log';

const dir = mkdtempSync(join(tmpdir(), 'loglab-report-times-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runFileForReport stage times', () => {
  it('keeps sub-millisecond times whole, for the rate', async () => {
    const file = join(dir, 'small.log');
    writeFileSync(file, `${SMALL_LOG}\n`);
    let t = 0;
    const record = await runFileForReport(file, SMALL_LOG.length + 1, {
      clock: () => {
        t += 0.25;
        return t;
      },
    });
    expect(record.stages.map((s) => [s.name, s.lines, s.seconds])).toEqual([
      ['summary', 12, 0.00025],
      ['detection', 12, 0.00025],
      ['batch', 12, 0.00025],
    ]);
    expect(stageTableRows(record).map((r) => r['lines/s'])).toEqual([48_000, 48_000, 48_000]);
  });
});
