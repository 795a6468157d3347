/**
 * One log file through every stage that needs no service, for `loglab report FILE`: the summary
 * (summary/file.ts, on threads), detection (the stream detector over the file's lines in order,
 * as `loglab detect FILE` runs it) and the nine batch jobs (the embedded runner, as `loglab
 * mapreduce run all --input FILE`), then the alerts scored against a ground truth when one is
 * given. The result is a run record (report/run-record.ts) with each stage's throughput.
 *
 * The stages run one after another, not at once: each one's lines per second is then its own,
 * and the peak memory is the largest stage's rather than their sum.
 *
 * This module starts threads (summary, embedded runner) by file URL, so it stays out of
 * pipeline/index.ts: notebooks compile the library as CommonJS.
 */
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createEmbeddedRunner } from '../batch/embedded-runner';
import { JOB_NAMES } from '../batch/jobs/index';
import { describeFsError, LoglabError } from '../errors';
import { readLines } from '../log/lines';
import { getParser, type ParseFormat } from '../log/parser';
import { evaluateDetection, type Truth } from '../realtime/evaluate';
import { detectionSettings } from '../realtime/settings';
import {
  RUN_RECORD_KIND,
  RUN_RECORD_VERSION,
  type RunRecord,
  type StageRecord,
} from '../report/run-record';
import { summaryOf } from '../summary/aggregator';
import { summarizeFile } from '../summary/file';
import { batchRecordOf } from './batch-record';
import { createStreamDetector } from './stream-detector';

/** What a caller is told while a stage runs: bytes (or lines) done of a total. */
export interface StageProgress {
  /** A stage starts; `total` is in `unit`. */
  start(stage: string, total: number, unit: string): void;
  update(done: number): void;
  /** The stage ended with these figures. */
  done(stage: StageRecord): void;
}

export interface FileRunOptions {
  readonly format?: ParseFormat;
  /** Rows in each top list of the summary and the batch jobs (10). */
  readonly top?: number;
  /** The generator's ground truth, to score the alerts against. */
  readonly truth?: Truth | null;
  readonly progress?: StageProgress;
  /** The wall clock, for the record's date. */
  readonly now?: () => Date;
  /** Where the batch stage's spill folder goes (default: the OS's temporary folder). */
  readonly tmpDir?: string;
  /** A monotonic clock in ms for the stages' times (performance.now). */
  readonly clock?: () => number;
}

const NO_PROGRESS: StageProgress = { start() {}, update() {}, done() {} };

/** The file's lines through the stream detector; its alerts and counts. */
async function detectFile(path: string, size: number, format: ParseFormat, p: StageProgress) {
  const settings = detectionSettings();
  const detector = createStreamDetector({
    windowMs: settings.windowMs,
    hopMs: settings.hopMs,
    latenessMs: settings.latenessMs,
    parse: getParser(format),
  });
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  let bytes = 0;
  stream.on('data', (chunk) => {
    bytes += chunk.length;
  });
  try {
    for await (const batch of readLines(stream)) {
      detector.addLines(batch);
      p.update(Math.min(size, bytes));
    }
  } catch (err) {
    throw new LoglabError('IO', `cannot read ${path}: ${describeFsError(err)}`, { cause: err });
  }
  detector.finish();
  return { settings, alerts: detector.takeAlerts(), counts: detector.counts() };
}

/** Run summary, detection and every batch job over one log file; the run record. */
export async function runFileForReport(
  path: string,
  size: number,
  options: FileRunOptions = {},
): Promise<RunRecord> {
  const format = options.format ?? 'auto';
  const top = options.top ?? 10;
  const p = options.progress ?? NO_PROGRESS;
  const clock = options.clock ?? (() => performance.now());
  // Unrounded: a stage of a few ms rounded to whole ms would be off by up to half of it, and so
  // would its lines per second; tables round when they show it.
  const seconds = (fromMs: number) => (clock() - fromMs) / 1000;
  const stages: StageRecord[] = [];
  const finish = (stage: StageRecord) => {
    stages.push(stage);
    p.done(stage);
  };

  let t0 = clock();
  p.start('summary', size, 'bytes');
  const threads = Math.min(8, availableParallelism());
  const state = await summarizeFile(path, { format, onProgress: (done) => p.update(done) });
  const summary = summaryOf(state, { top });
  finish({
    name: 'summary',
    detail: `one pass, up to ${threads} thread${threads === 1 ? '' : 's'}`,
    lines: summary.read,
    seconds: seconds(t0),
  });

  t0 = clock();
  p.start('detection', size, 'bytes');
  const detected = await detectFile(path, size, format, p);
  finish({
    name: 'detection',
    detail: `event-time windows of ${detected.settings.windowMs / 60_000} min, one thread`,
    lines: detected.counts.read,
    seconds: seconds(t0),
  });

  t0 = clock();
  p.start('batch', size, 'bytes');
  const runner = createEmbeddedRunner({ format, tmpDir: options.tmpDir });
  const run = await runner.run(
    JOB_NAMES.map((name) => ({ name, options: { top } })),
    { paths: [path] },
    { onProgress: (done) => p.update(done) },
  );
  const batch = batchRecordOf(run);
  finish({
    name: 'batch',
    detail: `${run.jobs.length} MapReduce jobs in one pass, embedded runner`,
    lines: run.counters.records + run.counters.rejects,
    seconds: seconds(t0),
  });

  const truth = options.truth ?? null;
  return {
    kind: RUN_RECORD_KIND,
    version: RUN_RECORD_VERSION,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    source: { name: path, engine: 'embedded', seed: null },
    summary,
    detection: {
      windowMs: detected.settings.windowMs,
      hopMs: detected.settings.hopMs,
      latenessMs: detected.settings.latenessMs,
      late: detected.counts.late,
      alerts: detected.alerts,
    },
    truth: truth?.incidents ?? null,
    evaluation:
      truth === null
        ? null
        : evaluateDetection(detected.alerts, truth, { windowMs: detected.settings.windowMs }),
    batch,
    stages,
  };
}
