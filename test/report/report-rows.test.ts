import { describe, expect, it } from 'vitest';
import {
  alertTableRows,
  peakHourRows,
  stageTableRows,
  truthTableRows,
} from '../../src/report/index';
import { hostileRecord, IMG } from './record-fixture';

describe('report rows', () => {
  it('one row per alert, from its opening line to where it held last', () => {
    expect(alertTableRows(hostileRecord().detection.alerts)).toEqual([
      {
        'opened (UTC)': '09:05:00',
        alert: 'error-spike',
        key: IMG,
        severity: 'warning',
        observed: 20,
        threshold: 15,
        'held until (UTC)': '09:10:00',
      },
    ]);
  });

  it('the busiest hours first, ties to the earlier hour, with their share', () => {
    const hourly = new Array(24).fill(0);
    hourly[3] = 10;
    hourly[7] = 30;
    hourly[20] = 30;
    expect(peakHourRows(hourly, 2)).toEqual([
      { hour: '07:00', requests: 30, share: '42.9%' },
      { hour: '20:00', requests: 30, share: '42.9%' },
    ]);
  });

  it('the truth and the stages as tables', () => {
    const r = hostileRecord();
    expect(truthTableRows(r)).toEqual([
      {
        incident: 'error-burst',
        key: IMG,
        'from (UTC)': '09:01:00',
        'to (UTC)': '09:06:00',
        minutes: 5,
      },
    ]);
    expect(stageTableRows(r)).toEqual([
      { stage: 'summary', how: 'one pass', lines: 1003, seconds: 0.5, 'lines/s': 2006 },
      { stage: 'detection', how: 'one thread', lines: 1003, seconds: 0.25, 'lines/s': 4012 },
    ]);
  });
});
