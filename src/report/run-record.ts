/**
 * The run record: what one run of the pipeline found, as one versioned JSON document, so that a
 * report can be drawn again without running anything. `loglab report FILE` writes one beside its
 * HTML; `loglab report` without a FILE reads the last demo run's (`out/demo/run.json`).
 *
 * It holds exactly what the report shows: the summary (the seed-style tables), the alert lines
 * and the ground truth with their evaluation, the batch jobs' rows and each stage's throughput.
 * The version changes whenever a field changes meaning or goes away; a reader refuses any other
 * version in one line rather than drawing a wrong report.
 */
import { badInput } from '../errors';
import type { Alert } from '../realtime/alert';
import type { Evaluation, TruthIncident } from '../realtime/evaluate';
import type { Summary } from '../summary/types';
import { RUN_RECORD_SHAPE, shapeMismatch } from './record-shape';

export const RUN_RECORD_KIND = 'loglab-run';
export const RUN_RECORD_VERSION = 1;

/** Where the demo writes its record, and where `loglab report` without a FILE reads it. */
export const DEMO_RUN_RECORD = 'out/demo/run.json';

/** One stage of the run: what it read and how long it took (wall clock). */
export interface StageRecord {
  /** "summary", "detection", "batch", … in the order they ran. */
  readonly name: string;
  /** How it ran, e.g. "4 threads", "embedded broker", "embedded runner, 2 workers". */
  readonly detail: string;
  readonly lines: number;
  readonly seconds: number;
}

export type RecordCell = string | number | boolean | null;

/** One batch job's result: its columns in table order and its rows. */
export interface BatchJobRecord {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, RecordCell>[];
}

export interface BatchRecord {
  /** The runner that ran the jobs: "embedded", "hadoop" or "yarn". */
  readonly engine: string;
  readonly records: number;
  readonly rejects: number;
  readonly inputFiles: number;
  readonly inputBytes: number;
  readonly jobs: readonly BatchJobRecord[];
}

export interface DetectionRecord {
  readonly windowMs: number;
  readonly hopMs: number;
  readonly latenessMs: number;
  /** Records behind the watermark, counted and not windowed. */
  readonly late: number;
  /** Every alert line in the order emitted (open, update, resolved). */
  readonly alerts: readonly Alert[];
}

export interface RunRecord {
  readonly kind: typeof RUN_RECORD_KIND;
  readonly version: typeof RUN_RECORD_VERSION;
  /** When the run ended, ISO 8601 UTC. */
  readonly createdAt: string;
  /** What was read: a log file's name, or the demo's generated day. */
  readonly source: {
    readonly name: string;
    /** "embedded" or "cluster". */
    readonly engine: string;
    /** The generator's seed when the lines were generated, else null. */
    readonly seed: number | null;
  };
  readonly summary: Summary;
  readonly detection: DetectionRecord;
  /** The generator's injected incidents, or null when no ground truth was given. */
  readonly truth: readonly TruthIncident[] | null;
  /** The alerts scored against `truth` (realtime/evaluate.ts), or null without a truth. */
  readonly evaluation: Evaluation | null;
  /** The MapReduce jobs' results, or null when they did not run. */
  readonly batch: BatchRecord | null;
  readonly stages: readonly StageRecord[];
}

/** The record as the JSON text written to disk. */
export function formatRunRecord(record: RunRecord): string {
  return `${JSON.stringify(record, null, 1)}\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A record from its JSON text; a document that is not a run record, or of another version, is
 * one BAD_INPUT line naming `name` and the first broken field (record-shape.ts checks every
 * field the report reads).
 */
export function parseRunRecord(text: string, name: string): RunRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw badInput(`${name} is not JSON: it is not a run record`);
  }
  if (!isObject(doc) || doc.kind !== RUN_RECORD_KIND) {
    throw badInput(`${name} is not a loglab run record (no "kind": "${RUN_RECORD_KIND}")`);
  }
  if (doc.version !== RUN_RECORD_VERSION) {
    throw badInput(
      `${name} is a run record of version ${JSON.stringify(doc.version)}; this loglab reads version ${RUN_RECORD_VERSION}`,
    );
  }
  const bad = shapeMismatch(doc, RUN_RECORD_SHAPE);
  if (bad !== null) {
    throw badInput(`${name} is a broken run record: ${bad} is missing or of the wrong type`);
  }
  return doc as unknown as RunRecord;
}
