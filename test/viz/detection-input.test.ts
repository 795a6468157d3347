/**
 * Charts take plain rows in shapes of their own (viz/detection-input.ts, window-charts.ts,
 * stream-charts.ts, bench-chart.ts) instead of importing a stage's types. The stages' values
 * must still fit those shapes as they are, and the chart's default anomaly limits must be the
 * detector's: this file fails to compile, or fails, when one side drifts from the other.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { BenchReport } from '../../src/bench/harness';
import type { StreamPoint } from '../../src/bench/stream-live';
import type { Alert } from '../../src/realtime/alert';
import { type AnomalyScore, DEFAULT_ANOMALY } from '../../src/realtime/detectors/anomaly';
import type { Evaluation, TruthIncident } from '../../src/realtime/evaluate';
import type { IncidentWindows, WindowComparison } from '../../src/realtime/explain/detection';
import type {
  ExplainedWindow,
  LatenessEffect,
  WatermarkStep,
  WindowKindsOptions,
} from '../../src/realtime/explain/windows';
import type { PartitionRow } from '../../src/stream/stats';
import type * as viz from '../../src/viz/index';

describe('chart inputs', () => {
  it('take the stages’ values as they are', () => {
    expectTypeOf<Alert>().toExtend<viz.AlertRow>();
    expectTypeOf<TruthIncident>().toExtend<viz.IncidentRow>();
    expectTypeOf<AnomalyScore>().toExtend<viz.AnomalyScoreRow>();
    expectTypeOf<IncidentWindows>().toExtend<viz.IncidentWindowsRows>();
    expectTypeOf<WindowComparison>().toExtend<viz.WindowComparisonRow>();
    expectTypeOf<Evaluation>().toExtend<viz.EvaluationRows>();
    expectTypeOf<ExplainedWindow>().toExtend<viz.ExplainedWindow>();
    expectTypeOf<WindowKindsOptions>().toExtend<viz.WindowKindsOptions>();
    expectTypeOf<WatermarkStep>().toExtend<viz.WatermarkStep>();
    expectTypeOf<LatenessEffect>().toExtend<viz.LatenessEffect>();
    expectTypeOf<PartitionRow>().toExtend<viz.PartitionRow>();
    expectTypeOf<StreamPoint>().toExtend<viz.StreamPoint>();
    expectTypeOf<BenchReport>().toExtend<viz.BenchChartReport>();
  });

  it('draw the anomaly detector’s default limits', async () => {
    const { ANOMALY_LIMITS } = await import('../../src/viz/detection-input');
    expect(ANOMALY_LIMITS).toEqual({
      openZ: DEFAULT_ANOMALY.openZ,
      resolveZ: DEFAULT_ANOMALY.resolveZ,
    });
    expect(ANOMALY_LIMITS).toEqual({ openZ: 6, resolveZ: 3 });
  });
});
