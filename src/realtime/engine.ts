/**
 * The real-time detection engine: parsed records in, in arrival order, alerts out.
 *
 *   record ──▶ watermark (max event time − lateness) ──late──▶ counted, onLate
 *      │
 *      ├─▶ site series: requests and 5xx per step (one minute) ──▶ anomaly (robust z-score)
 *      ├─▶ per address: requests, not-found answers and not-found paths per bucket
 *      │      │                                   ──▶ scanner, ip-flood (scanners first)
 *      │      ├─▶ (at each close, from the address's buckets) per /24 or /64 prefix: requests
 *      │      │   per bucket, distinct addresses ──▶ prefix-flood
 *      │      └─▶ per address with a not-found answer: a bounded set of paths (per record),
 *      │          requests and not-found answers per bucket over a long window (at each
 *      │          close, from the address's buckets) ──▶ slow-scan
 *      └─▶ per URL (path without query), one row for both: requests and 5xx per bucket
 *             │                                                           ──▶ error-spike
 *             └─▶ records with a request time: their count and times per bucket, merged per
 *                 window and judged against the URL's baseline sketch (final, quiet buckets
 *                 only) ──▶ slow-page
 *
 * Buckets are gcd(window, hop) wide (one minute by default) and each key keeps a ring of them
 * covering one window plus the lateness, as a row of flat typed arrays (keyed-rings.ts). When the watermark passes a hop boundary, the window
 * ending there closes: every live key is judged on it, alerts open, update or resolve
 * (alert.ts), and keys whose windows have all closed and that have no open alert are evicted, so
 * memory follows the active keys. When it passes a step boundary, the anomaly detector scores
 * that step. Alerts of one advance are emitted in (window end, kind, key) order, so any input
 * whose disorder stays within the lateness gives the same alerts as sorted input.
 *
 * The per-record path is plain code: two map lookups (address, URL), a few typed-array
 * increments, no allocation except for a key seen for the first time. The prefix and slow-scan
 * tables cost a record nothing (but a not-found path): they are fed once per close from the
 * buckets the address table already counted. Times are epoch ms ≥ 0.
 */
import type { LogRecord } from '../log/record';
import { type Alert, type AlertKind, type AlertSink, compareAlerts, resolveAtEnd } from './alert';
import { BucketRing } from './bucket-ring';
import {
  type AnomalyDetector,
  type AnomalyScore,
  createAnomalyDetector,
} from './detectors/anomaly';
import { URL_ERRORS, URL_REQUESTS } from './detectors/error-spike';
import { IP_NOT_FOUND, IP_REQUESTS, IpTable } from './detectors/ip-activity';
import { PrefixTable } from './detectors/prefix-flood';
import { SlowPageTable, slowPageOptions } from './detectors/slow-page';
import { judgeSlowScans, SlowScanTable } from './detectors/slow-scan';
import { closeKeyedWindows } from './keyed-windows';
import { type DetectionEngineOptions, type DetectionSettings, detectionSettings } from './settings';
import {
  type EngineCounters,
  type EngineSnapshot,
  type KeyedTops,
  keyedTops,
  STEP_ERRORS,
  STEP_REQUESTS,
  seriesSnapshot,
} from './snapshot';
import { alignDown, gcd } from './watermark';

export interface DetectionEngine {
  readonly settings: Readonly<DetectionSettings>;
  /** One parsed record, in arrival order. */
  process(record: LogRecord): void;
  /** Every record of an iterable, in order. */
  processAll(records: Iterable<LogRecord>): void;
  /** Event time moved on without a record (an idle source): windows the watermark passes close. */
  advanceTo(eventTime: number): void;
  /** The input ended: close every window, resolve every open alert. Later records are late. */
  flush(): void;
  counters(): EngineCounters;
  /** Counters plus the newest window's top lists, the per-step series and the open alerts. */
  snapshot(top?: number): EngineSnapshot;
}

export function createDetectionEngine(options: DetectionEngineOptions): DetectionEngine {
  return new Engine(options);
}

// Module-local copies: under a CommonJS transform (tsx, notebooks) an imported binding is a
// getter call, which the per-record path should not pay.
const IP_REQ = IP_REQUESTS;
const IP_404 = IP_NOT_FOUND;
const URL_REQ = URL_REQUESTS;
const URL_5XX = URL_ERRORS;
const STEP_REQ = STEP_REQUESTS;
const STEP_5XX = STEP_ERRORS;

class Engine implements DetectionEngine {
  readonly settings: DetectionSettings;
  private readonly sink: AlertSink;
  private readonly onLate: ((record: LogRecord, watermark: number) => void) | null;
  private readonly onScore: ((score: AnomalyScore) => void) | null;
  private readonly windowMs: number;
  private readonly hopMs: number;
  private readonly latenessMs: number;
  private readonly stepMs: number;
  /** Bucket width and ring length of keyed state. */
  private readonly width: number;
  private readonly slots: number;
  private readonly ipsOn: boolean;
  private readonly urlsOn: boolean;
  private readonly scannerOn: boolean;
  private readonly pathCap: number;
  private readonly prefixOn: boolean;
  private readonly slowOn: boolean;
  private readonly slowCap: number;
  private readonly ips: IpTable;
  private readonly prefixes: PrefixTable;
  private readonly slow: SlowScanTable;
  private readonly pagesOn: boolean;
  /** Per URL, for error-spike and slow-page. */
  private readonly urls: SlowPageTable;
  private readonly series: BucketRing;
  private readonly anomaly: AnomalyDetector | null;
  private readonly scratch = new Set<string>();
  private pending: Alert[] = [];

  private records = 0;
  private late = 0;
  private maxTime = Number.NEGATIVE_INFINITY;
  /** maxTime − lateness, kept up to date so the per-record check is one comparison. */
  private watermark = Number.NEGATIVE_INFINITY;
  /** Newest time actually counted (maxTime can run ahead through advanceTo). */
  private dataTime = Number.NEGATIVE_INFINITY;
  private nextWindowEnd = Number.NaN;
  private nextStepEnd = Number.NaN;
  /** The anomaly series starts at the first step with data (and again after a long gap). */
  private seriesStarted = false;
  private emptySteps = 0;
  private readonly opened: Record<AlertKind, number> = {
    'error-spike': 0,
    'ip-flood': 0,
    scanner: 0,
    'prefix-flood': 0,
    'slow-scan': 0,
    'slow-page': 0,
    anomaly: 0,
  };
  private open = 0;
  private alertLines = 0;

  constructor(options: DetectionEngineOptions) {
    const s = detectionSettings(options);
    this.settings = s;
    this.sink = options.sink;
    this.onLate = options.onLate ?? null;
    this.onScore = options.onScore ?? null;
    this.windowMs = s.windowMs;
    this.hopMs = s.hopMs;
    this.latenessMs = s.latenessMs;
    this.stepMs = s.stepMs;
    this.width = gcd(s.windowMs, s.hopMs);
    this.slots = Math.floor((s.windowMs + s.latenessMs) / this.width) + 2;
    this.prefixOn = s.prefixFlood !== null;
    this.slowOn = s.slowScan !== null;
    this.slowCap = s.slowScan?.maxPaths ?? 0;
    this.ipsOn = s.ipFlood !== null || s.scanner !== null || this.prefixOn || this.slowOn;
    this.urlsOn = s.errorSpike !== null;
    this.pagesOn = s.slowPage !== null;
    this.scannerOn = s.scanner !== null;
    this.pathCap = s.scanner?.maxPathsPerBucket ?? 0;
    this.ips = new IpTable(this.slots);
    this.urls = new SlowPageTable(this.slots, s.slowPage ?? slowPageOptions());
    this.prefixes = new PrefixTable(this.slots);
    const slowMs = s.slowScan?.windowMs ?? s.windowMs;
    this.slow = new SlowScanTable(Math.floor((slowMs + s.latenessMs) / this.width) + 2);
    this.series = new BucketRing(s.historySteps + Math.ceil(s.latenessMs / s.stepMs) + 2, 2);
    this.anomaly = s.anomaly === null ? null : createAnomalyDetector(s.anomaly);
  }

  process(r: LogRecord): void {
    const t = r.time;
    this.records++;
    if (t < this.watermark) {
      this.late++;
      if (this.onLate !== null) this.onLate(r, this.watermark);
      return;
    }
    if (t > this.maxTime) this.moveTime(t);
    if (t > this.dataTime) this.dataTime = t;
    const status = r.status;
    const error = status >= 500 && status <= 599;
    const bucket = Math.floor(t / this.width);
    const step = this.stepMs === this.width ? bucket : Math.floor(t / this.stepMs);
    this.series.add(step, STEP_REQ, 1);
    if (error) this.series.add(step, STEP_5XX, 1);
    const path = r.path;
    let key: string | null = null;
    if (path !== null) {
      // urlKey, inlined: the path without its query string.
      const q = path.indexOf('?');
      key = q < 0 ? path : path.slice(0, q);
    }
    // Address and URL rows share the ring length: one division for both.
    const slot = bucket % this.slots;
    if (this.ipsOn) {
      const ips = this.ips;
      const row = ips.rowFor(r.ip);
      ips.addAt(row, bucket, slot, IP_REQ, 1);
      const notFound = status === 404 || status === 410;
      if (notFound) {
        ips.addAt(row, bucket, slot, IP_404, 1);
        if (this.scannerOn && key !== null) ips.addPath(row, bucket, key, this.pathCap);
      }
      // The prefix and slow-scan tables get their counts from the address's row when a window
      // closes (keyed-windows.ts); a record only adds the path of a not-found answer.
      if (this.slowOn && notFound && key !== null) {
        let w = ips.slowRow[row];
        if (w < 0) {
          w = this.slow.rowFor(r.ip);
          ips.slowRow[row] = w;
        }
        // Make the bucket the row's newest, so the row is not freed before its counts come.
        this.slow.add(w, bucket, 0, 0);
        this.slow.addPath(w, bucket, key, this.slowCap);
      }
    }
    const duration = r.durationMs;
    const timed = this.pagesOn && typeof duration === 'number';
    if (key !== null && (this.urlsOn || timed)) {
      // One row per URL for error-spike and slow-page.
      const urls = this.urls;
      const row = urls.rowFor(key);
      if (this.urlsOn) {
        urls.addAt(row, bucket, slot, URL_REQ, 1);
        if (error) urls.addAt(row, bucket, slot, URL_5XX, 1);
      }
      if (timed) urls.accept(row, bucket, slot, duration as number);
    }
  }

  processAll(records: Iterable<LogRecord>): void {
    for (const r of records) this.process(r);
  }

  advanceTo(eventTime: number): void {
    if (eventTime > this.maxTime) this.moveTime(eventTime);
  }

  flush(): void {
    if (this.dataTime !== Number.NEGATIVE_INFINITY && this.maxTime !== Number.POSITIVE_INFINITY) {
      // Keyed windows through one empty window after the data, so open alerts resolve on it;
      // the anomaly series only through complete steps (a cut-off step is not a drop).
      this.closeUpTo(
        this.dataTime + this.windowMs + this.hopMs,
        alignDown(this.dataTime, this.stepMs),
      );
      if (this.anomaly !== null) this.anomaly.finish(this.pending);
      // The long window still holds: what slow-scan has open resolves at the end of the input.
      const slow = this.slow;
      for (let row = 0; row < slow.end; row++) {
        const open = slow.alert[row];
        if (open !== null && open !== undefined) {
          resolveAtEnd(open, this.pending);
          slow.alert[row] = null;
        }
      }
      this.emitPending();
    }
    this.maxTime = Number.POSITIVE_INFINITY;
    this.watermark = Number.POSITIVE_INFINITY;
  }

  counters(): EngineCounters {
    return {
      records: this.records,
      late: this.late,
      maxEventTime: this.maxTime,
      watermark: this.watermark,
      liveIps: this.ips.size(),
      liveUrls: this.urls.size(),
      opened: { ...this.opened },
      open: this.open,
      alertLines: this.alertLines,
    };
  }

  snapshot(top = 5): EngineSnapshot {
    let window: EngineSnapshot['window'] = null;
    let tops: KeyedTops = { topIps: [], topUrls: [], openAlerts: [] };
    if (this.dataTime !== Number.NEGATIVE_INFINITY) {
      const end = alignDown(this.dataTime, this.hopMs) + this.hopMs;
      window = { start: end - this.windowMs, end };
      tops = keyedTops(this.ips, this.urls, window.start / this.width, end / this.width, top);
    }
    if (this.anomaly !== null) tops.openAlerts.push(...this.anomaly.openAlerts());
    for (const [table, alerts] of [
      [this.prefixes, this.prefixes.alert],
      [this.slow, this.slow.alert],
      [this.urls, this.urls.pageAlert],
    ] as const) {
      for (let row = 0; row < table.end; row++) {
        const open = alerts[row];
        if (table.keys[row] !== null && open !== null && open !== undefined) {
          tops.openAlerts.push({ ...open });
        }
      }
    }
    tops.openAlerts.sort(compareAlerts);
    return {
      ...this.counters(),
      window,
      topUrls: tops.topUrls,
      topIps: tops.topIps,
      series: seriesSnapshot(this.series, this.settings.historySteps, this.stepMs),
      openAlerts: tops.openAlerts,
    };
  }

  private moveTime(time: number): void {
    this.maxTime = time;
    const watermark = time - this.latenessMs;
    this.watermark = watermark;
    if (Number.isNaN(this.nextWindowEnd)) {
      // The first windows and step that can still close are the first ending after the watermark.
      this.nextWindowEnd = this.firstWindowEndAfter(watermark);
      this.nextStepEnd = alignDown(watermark, this.stepMs) + this.stepMs;
      return;
    }
    if (watermark >= this.nextWindowEnd || watermark >= this.nextStepEnd) {
      this.closeUpTo(watermark, watermark);
      this.emitPending();
    }
  }

  /** The smallest window end (k·hop + window) that is > time. */
  private firstWindowEndAfter(time: number): number {
    return alignDown(time - this.windowMs, this.hopMs) + this.hopMs + this.windowMs;
  }

  /** Close the windows ending at or before `windowLimit` and the steps ending at or before `stepLimit`. */
  private closeUpTo(windowLimit: number, stepLimit: number): void {
    for (;;) {
      if (
        this.ips.size() === 0 &&
        this.urls.size() === 0 &&
        this.prefixes.size() === 0 &&
        this.slow.size() === 0 &&
        this.nextWindowEnd <= windowLimit
      ) {
        // No key holds state: skip the empty windows in one step.
        this.nextWindowEnd = this.firstWindowEndAfter(windowLimit);
      }
      if (!this.seriesStarted && this.nextStepEnd - this.stepMs > this.dataTime) {
        // The series waits for its first step with data and none has come: skip the empty steps.
        this.nextStepEnd = Math.max(this.nextStepEnd, alignDown(stepLimit, this.stepMs));
      }
      const stepDue = this.nextStepEnd <= stepLimit;
      const windowDue = this.nextWindowEnd <= windowLimit;
      if (!stepDue && !windowDue) return;
      if (stepDue && (!windowDue || this.nextStepEnd <= this.nextWindowEnd)) {
        this.closeStep(this.nextStepEnd - this.stepMs);
        this.nextStepEnd += this.stepMs;
      } else {
        this.closeWindows(this.nextWindowEnd);
        this.nextWindowEnd += this.hopMs;
      }
    }
  }

  private closeStep(start: number): void {
    const step = Math.floor(start / this.stepMs);
    const requests = this.series.get(STEP_REQUESTS, step);
    const errors = this.series.get(STEP_ERRORS, step);
    const anomaly = this.anomaly;
    if (anomaly === null) return;
    if (requests === 0) {
      if (!this.seriesStarted) return;
      // A gap longer than the baseline: the old baseline says nothing about what follows.
      if (++this.emptySteps > anomaly.options.baselineSteps) {
        anomaly.reset(this.pending);
        this.seriesStarted = false;
        this.emptySteps = 0;
        return;
      }
    } else {
      this.emptySteps = 0;
      this.seriesStarted = true;
    }
    const score = anomaly.closeStep(start, requests, errors, this.pending);
    if (this.onScore !== null) this.onScore(score);
  }

  private closeWindows(end: number): void {
    closeKeyedWindows(
      this.settings,
      { ips: this.ips, urls: this.urls, prefixes: this.prefixes, slow: this.slow },
      end,
      this.width,
      this.scratch,
      this.pending,
    );
    const slowScan = this.settings.slowScan;
    if (slowScan !== null) {
      judgeSlowScans(slowScan, this.slow, end, this.hopMs, this.width, this.pending, (key) => {
        const row = this.ips.rowOf(key);
        if (row >= 0) this.ips.slowRow[row] = -1;
      });
    }
  }

  private emitPending(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    batch.sort(compareAlerts);
    for (const a of batch) {
      this.alertLines++;
      if (a.state === 'resolved') this.open--;
      else if (a.windowEnd === a.firstSeen) {
        this.open++;
        this.opened[a.kind]++;
      }
      this.sink(a);
    }
  }
}
