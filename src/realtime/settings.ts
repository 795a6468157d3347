/**
 * The detection engine's settings: windows, lateness and each detector's options, with the
 * classic defaults (five-minute windows advancing every minute over one-minute buckets, 30 s of
 * allowed lateness). A detector set to `false` is off.
 */

import { badFlag } from '../errors';
import type { LogRecord } from '../log/record';
import type { AlertSink } from './alert';
import { type AnomalyOptions, type AnomalyScore, anomalyOptions } from './detectors/anomaly';
import { type ErrorSpikeOptions, errorSpikeOptions } from './detectors/error-spike';
import { type IpFloodOptions, ipFloodOptions } from './detectors/ip-flood';
import { type PrefixFloodOptions, prefixFloodOptions } from './detectors/prefix-flood';
import { type ScannerOptions, scannerOptions } from './detectors/scanner';
import { type SlowPageOptions, slowPageOptions } from './detectors/slow-page';
import { type SlowScanOptions, slowScanOptions } from './detectors/slow-scan';
import { checkDuration, checkLateness, gcd } from './watermark';

export const DEFAULT_WINDOW_MS = 300_000;
export const DEFAULT_HOP_MS = 60_000;
export const DEFAULT_LATENESS_MS = 30_000;
/** Steps of per-step history the dashboard can draw. */
export const DEFAULT_HISTORY_STEPS = 60;

export interface DetectionSettings {
  windowMs: number;
  hopMs: number;
  latenessMs: number;
  errorSpike: ErrorSpikeOptions | null;
  ipFlood: IpFloodOptions | null;
  scanner: ScannerOptions | null;
  prefixFlood: PrefixFloodOptions | null;
  slowScan: SlowScanOptions | null;
  slowPage: SlowPageOptions | null;
  anomaly: AnomalyOptions | null;
  /** Series step when the anomaly detector is off (it follows anomaly.stepMs otherwise). */
  stepMs: number;
  historySteps: number;
}

export interface DetectionEngineOptions {
  windowMs?: number;
  hopMs?: number;
  latenessMs?: number;
  errorSpike?: Partial<ErrorSpikeOptions> | false;
  ipFlood?: Partial<IpFloodOptions> | false;
  scanner?: Partial<ScannerOptions> | false;
  prefixFlood?: Partial<PrefixFloodOptions> | false;
  slowScan?: Partial<SlowScanOptions> | false;
  slowPage?: Partial<SlowPageOptions> | false;
  anomaly?: Partial<AnomalyOptions> | false;
  historySteps?: number;
  /** Receives every alert line (open, update, resolved), in event-time order. */
  sink: AlertSink;
  /** Receives every record that arrived behind the watermark (also counted). */
  onLate?: (record: LogRecord, watermark: number) => void;
  /** Receives each scored step of the anomaly detector (charts, notebooks). */
  onScore?: (score: AnomalyScore) => void;
}

/** Defaults filled in and every value checked; a bad one is a LoglabError (BAD_FLAG). */
export function detectionSettings(
  options: Omit<DetectionEngineOptions, 'sink' | 'onLate' | 'onScore'> = {},
): DetectionSettings {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const hopMs = options.hopMs ?? DEFAULT_HOP_MS;
  const latenessMs = options.latenessMs ?? DEFAULT_LATENESS_MS;
  checkDuration('window', windowMs);
  checkDuration('hop', hopMs);
  checkLateness(latenessMs);
  if (hopMs > windowMs) {
    throw badFlag(`hop (${hopMs} ms) must not exceed the window (${windowMs} ms)`);
  }
  const anomaly = options.anomaly === false ? null : anomalyOptions(options.anomaly);
  const slowScan = options.slowScan === false ? null : slowScanOptions(options.slowScan);
  const width = gcd(windowMs, hopMs);
  if (slowScan !== null && (slowScan.windowMs % width !== 0 || slowScan.windowMs < windowMs)) {
    throw badFlag(
      `slow-scan windowMs must be a multiple of ${width} ms and at least the window, got ${slowScan.windowMs}`,
    );
  }
  const historySteps = options.historySteps ?? DEFAULT_HISTORY_STEPS;
  if (!Number.isInteger(historySteps) || historySteps < 1) {
    throw badFlag(`historySteps must be a whole number ≥ 1, got ${historySteps}`);
  }
  return {
    windowMs,
    hopMs,
    latenessMs,
    errorSpike: options.errorSpike === false ? null : errorSpikeOptions(options.errorSpike),
    ipFlood: options.ipFlood === false ? null : ipFloodOptions(options.ipFlood),
    scanner: options.scanner === false ? null : scannerOptions(options.scanner),
    prefixFlood: options.prefixFlood === false ? null : prefixFloodOptions(options.prefixFlood),
    slowScan,
    slowPage: options.slowPage === false ? null : slowPageOptions(options.slowPage),
    anomaly,
    stepMs: anomaly?.stepMs ?? 60_000,
    historySteps,
  };
}
