/**
 * What two runs of the demo must agree on, whatever the engine (demo-run.ts): the lines at
 * every hop, the alerts opened per kind and every batch job's rows. Read from the run record,
 * so a run on Kafka, HDFS and Hadoop can be held against an embedded one after the fact.
 */
import { ALERT_KINDS, type AlertKind } from '../realtime/alert';
import { alertSpans } from '../realtime/evaluate';
import type { RecordCell, RunRecord } from '../report/run-record';

export interface DemoTotals {
  /** Lines the stream's producer sent. */
  readonly produced: number;
  /** Lines the stream's consumer read (summary and detection). */
  readonly consumed: number;
  /** Lines the archiver stored in the lake. */
  readonly stored: number;
  /** Lines the batch jobs read from the lake (records + rejects). */
  readonly batchInput: number;
  /** Requests the summary counted, and records the batch jobs parsed. */
  readonly summaryRequests: number;
  readonly batchRecords: number;
  readonly alertsOpened: Readonly<Record<AlertKind, number>>;
  /** Incidents of the ground truth, and those detected. */
  readonly incidents: number;
  readonly detected: number;
  readonly jobs: Readonly<Record<string, readonly Record<string, RecordCell>[]>>;
}

function stageLines(record: RunRecord, name: string): number {
  return record.stages.find((s) => s.name === name)?.lines ?? 0;
}

export function demoTotals(record: RunRecord): DemoTotals {
  const alertsOpened = Object.fromEntries(ALERT_KINDS.map((k) => [k, 0])) as Record<
    AlertKind,
    number
  >;
  for (const span of alertSpans(record.detection.alerts)) alertsOpened[span.kind]++;
  const kinds = record.evaluation?.kinds ?? [];
  const jobs: Record<string, readonly Record<string, RecordCell>[]> = {};
  for (const j of record.batch?.jobs ?? []) jobs[j.name] = j.rows;
  return {
    produced: stageLines(record, 'generate + produce'),
    consumed: stageLines(record, 'detection'),
    stored: stageLines(record, 'archive'),
    batchInput: stageLines(record, 'batch'),
    summaryRequests: record.summary.total,
    batchRecords: record.batch?.records ?? 0,
    alertsOpened,
    incidents: kinds.reduce((n, k) => n + k.incidents, 0),
    detected: kinds.reduce((n, k) => n + k.detected, 0),
    jobs,
  };
}
