import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/realtime/alert';
import type { AnomalyScore } from '../../src/realtime/detectors/anomaly';
import type { Evaluation } from '../../src/realtime/evaluate';
import type { IncidentWindows, WindowComparison } from '../../src/realtime/explain/detection';
import {
  alertMoments,
  anomalyScoreChart,
  incidentWindowChart,
  windowComparisonChart,
} from '../../src/viz/detection-charts';
import { alertRows, comparisonRows, delayText, evaluationRows } from '../../src/viz/detection-rows';
import { renderSvg } from '../../src/viz/render';

const T0 = Date.UTC(2024, 2, 12, 6, 0, 0);
const MIN = 60_000;

/** Every text of the SVG, lines of a multi-line title (tspans) one by one. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<(?:text|tspan)[^>]*>([^<]*)<\/(?:text|tspan)>/g)].map((m) => m[1]);
}

function count(svg: string, pattern: RegExp): number {
  return svg.match(pattern)?.length ?? 0;
}

function alert(
  state: 'open' | 'resolved',
  end: number,
  observed: number,
  severity = 'warning',
): Alert {
  return {
    kind: 'error-spike',
    key: '/cart',
    windowStart: end - 5 * MIN,
    windowEnd: end,
    observed,
    threshold: 15,
    severity: severity as Alert['severity'],
    firstSeen: T0 + 12 * MIN,
    lastSeen: end,
    state,
  };
}

const lines = [
  alert('open', T0 + 12 * MIN, 17),
  alert('open', T0 + 13 * MIN, 40, 'critical'),
  alert('resolved', T0 + 18 * MIN, 4, 'critical'),
];

describe('alertMoments', () => {
  it('places the opening, the critical update and the resolution at their window ends', () => {
    expect(alertMoments(lines)).toEqual([
      { time: T0 + 12 * MIN, what: 'opens', observed: 17 },
      { time: T0 + 13 * MIN, what: 'critical', observed: 40 },
      { time: T0 + 18 * MIN, what: 'resolves', observed: 4 },
    ]);
  });
});

describe('incidentWindowChart', () => {
  const view: IncidentWindows = {
    incident: { kind: 'error-burst', key: '/cart', start: T0 + 10 * MIN, end: T0 + 15 * MIN },
    alertKind: 'error-spike',
    measure: '5xx responses',
    windowMs: 5 * MIN,
    hopMs: MIN,
    threshold: 15,
    points: Array.from({ length: 30 }, (_, i) => ({
      start: T0 + (i - 5) * MIN,
      end: T0 + i * MIN,
      value: i >= 11 && i <= 17 ? 20 + i : 0,
    })),
    alerts: lines,
  };

  it('titles the detector and key, with the window in the subtitle and units on the axes', async () => {
    const svg = await renderSvg(incidentWindowChart(view));
    const t = texts(svg);
    expect(t).toContain('error-spike on /cart');
    expect(t).toContain('5xx responses per 5 min window, a window closing every 1 min');
    expect(t).toContain('shaded: the injected error-burst, 06:10:00 to 06:15:00 UTC');
    expect(t).toContain('5xx responses');
    expect(t).toContain('window end (UTC)');
    expect(t).toContain('threshold 15');
    for (const label of ['alert opens', 'alert turns critical', 'alert resolves']) {
      expect(t).toContain(label);
    }
    // The incident, one rule for the threshold and one per alert line, one line of measures.
    expect(count(svg, /aria-roledescription="rect mark"/g)).toBe(1);
    expect(count(svg, /aria-roledescription="rule mark"/g)).toBe(4);
    expect(count(svg, /aria-roledescription="line mark"/g)).toBe(1);
  });

  it('names only the alert moments that happened in the legend', async () => {
    const t = texts(
      await renderSvg(incidentWindowChart({ ...view, alerts: [lines[0], lines[2]] })),
    );
    expect(t).toContain('alert opens');
    expect(t).toContain('alert resolves');
    expect(t).not.toContain('alert turns critical');
  });
});

describe('anomalyScoreChart', () => {
  const scores: AnomalyScore[] = Array.from({ length: 120 }, (_, i) => ({
    start: T0 + i * MIN,
    requests: 100,
    errors: 1,
    requestsZ: i < 30 ? null : i === 80 ? 9 : 0.5,
    errorRatioZ: i < 30 ? null : 0.2,
  }));
  const spike: Alert = {
    kind: 'anomaly',
    key: 'requests-spike',
    windowStart: T0 + 80 * MIN,
    windowEnd: T0 + 81 * MIN,
    observed: 300,
    threshold: 180,
    severity: 'warning',
    firstSeen: T0 + 81 * MIN,
    lastSeen: T0 + 81 * MIN,
    state: 'open',
  };

  it('draws both series with their control limits, the incidents and the alert openings', async () => {
    const svg = await renderSvg(
      anomalyScoreChart(scores, {
        incidents: [
          { kind: 'ip-flood', key: '10.0.0.1', start: T0 + 79 * MIN, end: T0 + 82 * MIN },
        ],
        alerts: [spike],
      }),
    );
    const t = texts(svg);
    expect(t).toContain('Anomaly scores over the day');
    expect(t).toContain(
      'red: an alert opens beyond 6; grey: it resolves inside 3; shaded: injected incidents',
    );
    expect(t).toContain('requests per minute (z)');
    expect(t).toContain('share of 5xx (z)');
    expect(t).toContain('minute (UTC)');
    expect(t).toContain('requests-spike opens');
    // ±6 and ±3 for requests, +6 and +3 for the share of errors.
    expect(count(svg, /aria-roledescription="rule mark"/g)).toBe(6);
    expect(count(svg, /aria-roledescription="line mark"/g)).toBe(2);
    expect(count(svg, /aria-roledescription="rect mark"/g)).toBe(2);
  });
});

function comparison(windowMs: number, kind: string, f1: number): WindowComparison {
  return {
    windowMs,
    thresholds: 'fixed',
    incidentKind: kind,
    incidents: 5,
    detected: 4,
    alerts: 5,
    falsePositives: 1,
    precision: 0.8,
    recall: 0.8,
    f1,
    delayMeanMs: 95_000,
    delayMaxMs: 150_000,
    holdsAfterEndMs: -30_000,
  };
}

describe('windowComparisonChart', () => {
  const rows = [MIN, 5 * MIN].flatMap((w) => [
    comparison(w, 'ip-flood', 0.8),
    comparison(w, 'scanner', 1),
  ]);

  it('shows F1, delay and hold time against the window, one line per incident kind', async () => {
    const svg = await renderSvg(windowComparisonChart(rows));
    const t = texts(svg);
    expect(t).toContain('What the window size changes');
    expect(t).toContain('the same thresholds for every window (15 errors, 150 requests, 20 paths)');
    for (const label of [
      'F1',
      'detection delay (min)',
      'held after the end (min)',
      'window (min)',
    ]) {
      expect(t).toContain(label);
    }
    expect(t).toContain('ip-flood');
    expect(t).toContain('scanner');
    // Three panels, a line per kind in each.
    expect(count(svg, /aria-roledescription="line mark"/g)).toBe(6);
  });
});

describe('detection rows', () => {
  it('writes delays in minutes and seconds', () => {
    expect([delayText(null), delayText(31_400), delayText(75_000), delayText(-146_000)]).toEqual([
      '-',
      '31s',
      '1m15s',
      '−2m26s',
    ]);
  });

  it('lists alert lines with their window in UTC', () => {
    expect(alertRows([lines[0]])).toEqual([
      {
        kind: 'error-spike',
        key: '/cart',
        state: 'open',
        severity: 'warning',
        'window (UTC)': '2024-03-12 06:07:00 – 06:12:00',
        observed: 17,
        threshold: 15,
        'opened at (UTC)': '2024-03-12 06:12:00',
      },
    ]);
  });

  it('turns an evaluation into one row per incident kind plus the anomaly row', () => {
    const evaluation: Evaluation = {
      windowMs: 5 * MIN,
      kinds: [
        {
          incidentKind: 'ip-flood',
          alertKind: 'ip-flood',
          incidents: 2,
          detected: 1,
          alerts: 2,
          truePositives: 1,
          falsePositives: 1,
          explained: 0,
          precision: 0.5,
          recall: 0.5,
          f1: 0.5,
          delayMeanMs: 126_000,
          delayMaxMs: 126_000,
          coverageMin: 1,
          missed: [],
          falseAlarms: [],
        },
      ],
      anomaly: { alerts: 3, truePositives: 2, falsePositives: 1, precision: 2 / 3 },
    };
    expect(evaluationRows(evaluation)).toEqual([
      {
        incident: 'ip-flood',
        alert: 'ip-flood',
        incidents: 2,
        detected: 1,
        alerts: 2,
        'false alarms': 1,
        precision: '0.50',
        recall: '0.50',
        F1: '0.50',
        'delay mean': '2m06s',
        'delay max': '2m06s',
      },
      {
        incident: '(any, by overlap)',
        alert: 'anomaly',
        incidents: '-',
        detected: '-',
        alerts: 3,
        'false alarms': 1,
        precision: '0.67',
        recall: '-',
        F1: '-',
        'delay mean': '-',
        'delay max': '-',
      },
    ]);
  });

  it('turns a window comparison into rows', () => {
    expect(comparisonRows([comparison(15 * MIN, 'scanner', 0.8)])).toEqual([
      {
        window: '15 min',
        thresholds: 'fixed',
        incident: 'scanner',
        incidents: 5,
        detected: 4,
        alerts: 5,
        'false alarms': 1,
        precision: '0.80',
        recall: '0.80',
        F1: '0.80',
        'delay mean': '1m35s',
        'holds after end': '−30s',
      },
    ]);
  });
});
