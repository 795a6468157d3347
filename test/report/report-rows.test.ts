import { describe, expect, it } from 'vitest';
import {
  alertTableRows,
  peakHourRows,
  reportHtml,
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

  it('the worst window is the highest severity, then the largest observed value', () => {
    const [open] = hostileRecord().detection.alerts;
    const lines = [
      { ...open, observed: 20, severity: 'warning' as const },
      { ...open, observed: 40, severity: 'critical' as const },
      { ...open, observed: 90, severity: 'critical' as const },
      { ...open, observed: 30, severity: 'critical' as const },
      { ...open, observed: 95, severity: 'warning' as const },
    ];
    expect(alertTableRows(lines).map((r) => [r.severity, r.observed])).toEqual([['critical', 90]]);
  });

  it('shows the date with the times when the log spans more than one UTC day', () => {
    const r = hostileRecord();
    const twoDays = { ...r, summary: { ...r.summary, lastTime: '2024-03-13T00:00:01.000Z' } };
    const rows = alertTableRows(r.detection.alerts, { withDate: true });
    expect([rows[0]['opened (UTC)'], rows[0]['held until (UTC)']]).toEqual([
      '2024-03-12 09:05:00',
      '2024-03-12 09:10:00',
    ]);
    expect(truthTableRows(twoDays).map((t) => [t['from (UTC)'], t['to (UTC)']])).toEqual([
      ['2024-03-12 09:01:00', '2024-03-12 09:06:00'],
    ]);
    // The page passes the log's span on to the alert table.
    expect(reportHtml(twoDays, [])).toContain('<td>2024-03-12 09:05:00</td>');
    expect(reportHtml(r, [])).not.toContain('2024-03-12 09:05:00');
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
