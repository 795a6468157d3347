/**
 * A small run record written by hand, with markup in every string a log line can put on the
 * page: URLs, addresses, alert keys, the truth's keys, batch rows and the source's name.
 */
import type { RunRecord } from '../../src/report/index';

export const SCRIPT = '/<script>alert(1)</script>';
export const IMG = '/"><img src=x onerror=alert(1)>';
export const T0 = Date.UTC(2024, 2, 12);
const MIN = 60_000;

export function hostileRecord(): RunRecord {
  return {
    kind: 'loglab-run',
    version: 1,
    createdAt: '2026-12-06T05:00:00.000Z',
    source: { name: `day<b>${IMG}.log`, engine: 'embedded', seed: null },
    summary: {
      read: 1003,
      parsed: 1000,
      rejected: 3,
      rejectReasons: { 'bad-quoted-field': 3 },
      truncated: 0,
      total: 1000,
      statusCodes: { '200': 900, '404': 80, '500': 20 },
      uniqueVisitors: 40,
      peakHour: { hour: 9, requests: 400 },
      hourly: [0, 0, 0, 0, 0, 0, 0, 0, 100, 400, 300, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      firstTime: '2024-03-12T08:00:00.000Z',
      lastTime: '2024-03-12T11:59:59.000Z',
      topUrls: [
        { key: SCRIPT, hits: 300 },
        { key: IMG, hits: 200 },
        { key: '/', hits: 100 },
      ],
      topIps: [{ key: '10.0.0.1', hits: 500 }],
      topErrors: [
        { url: SCRIPT, status: 404, count: 60 },
        { url: IMG, status: 500, count: 20 },
      ],
    },
    detection: {
      windowMs: 5 * MIN,
      hopMs: MIN,
      latenessMs: 30_000,
      late: 0,
      alerts: [
        {
          kind: 'error-spike',
          key: IMG,
          windowStart: T0 + 540 * MIN,
          windowEnd: T0 + 545 * MIN,
          observed: 20,
          threshold: 15,
          severity: 'warning',
          firstSeen: T0 + 545 * MIN,
          lastSeen: T0 + 545 * MIN,
          state: 'open',
        },
        {
          kind: 'error-spike',
          key: IMG,
          windowStart: T0 + 546 * MIN,
          windowEnd: T0 + 551 * MIN,
          observed: 3,
          threshold: 15,
          severity: 'warning',
          firstSeen: T0 + 545 * MIN,
          lastSeen: T0 + 550 * MIN,
          state: 'resolved',
        },
      ],
    },
    truth: [{ kind: 'error-burst', key: IMG, start: T0 + 541 * MIN, end: T0 + 546 * MIN }],
    evaluation: {
      windowMs: 5 * MIN,
      kinds: [
        {
          incidentKind: 'error-burst',
          alertKind: 'error-spike',
          incidents: 1,
          detected: 1,
          alerts: 1,
          truePositives: 1,
          falsePositives: 0,
          explained: 0,
          precision: 1,
          recall: 1,
          f1: 1,
          delayMeanMs: 4 * MIN,
          delayMaxMs: 4 * MIN,
          coverageMin: 1,
          missed: [],
          falseAlarms: [],
        },
      ],
      anomaly: { alerts: 0, truePositives: 0, falsePositives: 0, precision: null },
    },
    batch: {
      engine: 'embedded',
      records: 1000,
      rejects: 3,
      inputFiles: 1,
      inputBytes: 250_000,
      jobs: [
        {
          name: 'top-urls',
          description: 'Top URLs <by hits>',
          columns: ['url', 'hits'],
          rows: [
            { url: SCRIPT, hits: 300 },
            { url: IMG, hits: 200 },
          ],
        },
        {
          name: 'ip-anomalies',
          description: 'IP anomalies',
          columns: ['ip', 'requests', 'flagged'],
          rows: [{ ip: '10.0.0.1', requests: 500, flagged: true }],
        },
      ],
    },
    stages: [
      { name: 'summary', detail: 'one pass', lines: 1003, seconds: 0.5 },
      { name: 'detection', detail: 'one thread', lines: 1003, seconds: 0.25 },
    ],
  };
}
