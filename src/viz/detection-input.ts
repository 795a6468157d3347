/**
 * What detection charts and tables take: plain rows in the shapes below, never a stage's module.
 * The realtime stage's own values (alert lines, ground truth, anomaly scores, evaluations and
 * the explainers' rows) have these shapes as they are, so a notebook passes them straight in;
 * test/viz/detection-input.test.ts holds the two sides together.
 */

/** One alert line: what, where, which window, the value against the threshold, its state. */
export interface AlertRow {
  readonly kind: string;
  readonly key: string;
  /** [windowStart, windowEnd), epoch ms. */
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly observed: number;
  readonly threshold: number;
  readonly severity: string;
  /** End of the first window in which the condition held: when the alert opened. */
  readonly firstSeen: number;
  readonly state: 'open' | 'resolved';
}

/** One injected incident of the ground truth: kind, key, [start, end] in epoch ms. */
export interface IncidentRow {
  readonly kind: string;
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/** The anomaly detector's score of one step; a z-score is null during warm-up. */
export interface AnomalyScoreRow {
  readonly start: number;
  readonly requestsZ: number | null;
  readonly errorRatioZ: number | null;
}

/** The anomaly detector's control limits (its defaults: `ANOMALY_LIMITS`). */
export interface AnomalyLimits {
  readonly openZ: number;
  readonly resolveZ: number;
}

/**
 * The anomaly detector's default limits, so a chart drawn without them shows the detector's;
 * test/viz/detection-input.test.ts keeps them equal to realtime's DEFAULT_ANOMALY.
 */
export const ANOMALY_LIMITS: AnomalyLimits = Object.freeze({ openZ: 6, resolveZ: 3 });

/** A detector's measure window by window around one incident, with its threshold and alerts. */
export interface IncidentWindowsRows {
  readonly incident: IncidentRow;
  readonly alertKind: string;
  /** What a point's value counts, for an axis title ("5xx responses", …). */
  readonly measure: string;
  readonly windowMs: number;
  readonly hopMs: number;
  readonly threshold: number;
  /** One per window, [start, end), in order of their end. */
  readonly points: readonly {
    readonly start: number;
    readonly end: number;
    readonly value: number;
  }[];
  readonly alerts: readonly AlertRow[];
}

/** How the alerts of one kind scored against the incidents of one kind. */
export interface KindScoreRow {
  readonly incidentKind: string;
  readonly incidents: number;
  readonly detected: number;
  readonly alerts: number;
  readonly falsePositives: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  readonly delayMeanMs: number | null;
  readonly delayMaxMs: number | null;
}

/** Detection quality for one window size and incident kind. */
export interface WindowComparisonRow extends KindScoreRow {
  readonly windowMs: number;
  readonly thresholds: 'fixed' | 'rate';
  /** From the incident's end to the end of the last window in which its alert still held. */
  readonly holdsAfterEndMs: number | null;
}

/** Alerts scored against the ground truth: one entry per incident kind, and anomaly alerts. */
export interface EvaluationRows {
  readonly kinds: readonly (KindScoreRow & { readonly alertKind: string })[];
  readonly anomaly: {
    readonly alerts: number;
    readonly falsePositives: number;
    readonly precision: number | null;
  };
}
