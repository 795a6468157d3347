import { describe, expect, it } from 'vitest';
import { formatRunRecord, parseRunRecord, RUN_RECORD_VERSION } from '../../src/report/index';
import { hostileRecord } from './record-fixture';

function refused(text: string): string {
  try {
    parseRunRecord(text, 'out/demo/run.json');
  } catch (err) {
    return `${(err as Error & { code: string }).code}: ${(err as Error).message}`;
  }
  return 'accepted';
}

describe('the run record', () => {
  it('reads back what it wrote', () => {
    const record = hostileRecord();
    const text = formatRunRecord(record);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseRunRecord(text, 'x.json')).toEqual(record);
    expect(RUN_RECORD_VERSION).toBe(1);
  });

  it('refuses another version in one line, naming both', () => {
    const doc = { ...hostileRecord(), version: 2 };
    expect(refused(JSON.stringify(doc))).toBe(
      'BAD_INPUT: out/demo/run.json is a run record of version 2; this loglab reads version 1',
    );
  });

  it('refuses what is not a run record, or a broken one, saying which field', () => {
    expect(refused('{"kind":')).toBe(
      'BAD_INPUT: out/demo/run.json is not JSON: it is not a run record',
    );
    expect(refused('[]')).toBe(
      'BAD_INPUT: out/demo/run.json is not a loglab run record (no "kind": "loglab-run")',
    );
    const { summary: _, ...noSummary } = hostileRecord();
    expect(refused(JSON.stringify(noSummary))).toBe(
      'BAD_INPUT: out/demo/run.json is a broken run record: summary is missing or of the wrong type',
    );
    expect(refused(JSON.stringify({ ...hostileRecord(), batch: { jobs: 3 } }))).toBe(
      'BAD_INPUT: out/demo/run.json is a broken run record: batch.engine is missing or of the wrong type',
    );
    expect(refused(JSON.stringify({ ...hostileRecord(), truth: null, evaluation: null }))).toBe(
      'accepted',
    );
  });

  it('names the first broken field the page reads, down to an alert line', () => {
    const record = hostileRecord();
    const { statusCodes: _, ...noCodes } = record.summary;
    expect(refused(JSON.stringify({ ...record, summary: noCodes }))).toBe(
      'BAD_INPUT: out/demo/run.json is a broken run record: summary.statusCodes is missing or of the wrong type',
    );
    expect(refused(JSON.stringify({ ...record, evaluation: {} }))).toBe(
      'BAD_INPUT: out/demo/run.json is a broken run record: evaluation.kinds is missing or of the wrong type',
    );
    const alerts = [record.detection.alerts[0], { ...record.detection.alerts[1], key: 7 }];
    expect(refused(JSON.stringify({ ...record, detection: { ...record.detection, alerts } }))).toBe(
      'BAD_INPUT: out/demo/run.json is a broken run record: detection.alerts[1].key is missing or of the wrong type',
    );
    expect(
      refused(JSON.stringify({ ...record, summary: { ...record.summary, peakHour: { hour: 9 } } })),
    ).toBe(
      'BAD_INPUT: out/demo/run.json is a broken run record: summary.peakHour.requests is missing or of the wrong type',
    );
  });
});
