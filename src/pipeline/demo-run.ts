/**
 * The end-to-end run behind `loglab demo`: every stage of the pipeline (its shape: index.ts)
 * once, in one process, on whichever engine the ports given belong to.
 *
 *   1. stream   run-stream: a seeded day with every incident kind is generated and produced to
 *               the topic; the stream's consumer (group loglab-demo.<topic>) counts the summary
 *               and runs the detectors (alerts to weblogs.alerts), and the archiver (group
 *               loglab-demo-archiver.<topic>, stream-archive.ts) stores it in the demo's lake;
 *   2. batch    every MapReduce job over the lake's raw files, through the Runner given;
 *   3. report   the run record (report/run-record.ts) and the HTML page (report/build-report.ts).
 *
 * Reruns are exact: the lake is emptied first, and the topic and both groups are deleted first,
 * so the broker holds only this run's lines (on the embedded engine a new broker has nothing).
 * The topic therefore belongs to the demo: on a cluster it is not the shared weblogs.raw.
 *
 * This module starts threads (the embedded runner) by file URL, so it stays out of
 * pipeline/index.ts: notebooks compile the library as CommonJS.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { JOB_NAMES } from '../batch/jobs/index';
import type { Runner } from '../batch/runner';
import { createGenerator, defaultOptions, INCIDENT_KINDS } from '../generate/index';
import { parseAuto } from '../log/auto';
import { isRejection } from '../log/record';
import type { Alert } from '../realtime/alert';
import { evaluateDetection } from '../realtime/evaluate';
import { detectionSettings } from '../realtime/settings';
import { buildReport } from '../report/build-report';
import {
  DEMO_RUN_RECORD,
  formatRunRecord,
  RUN_RECORD_KIND,
  RUN_RECORD_VERSION,
  type RunRecord,
  type StageRecord,
} from '../report/run-record';
import { LAKE_ROOT } from '../storage/lake-layout';
import { retryingStore } from '../storage/retrying-store';
import type { Store } from '../storage/store';
import type { Broker } from '../stream/broker';
import { removeScratch } from '../stream/scratch';
import { ALERTS_TOPIC } from '../stream/topics';
import { createSummaryAggregator } from '../summary/aggregator';
import { outageLine } from './archiver-outage';
import { batchRecordOf } from './batch-record';
import type { StageProgress } from './report-file-run';
import { type BatchHandler, runStream, type StreamSummary } from './run-stream';
import { streamDetection } from './stream-detection';
import { createStreamDetector } from './stream-detector';

/** The demo's own topic and groups (named after its topic): deleted at the start of every run. */
export const DEMO_TOPIC = 'weblogs.demo';
export const DEMO_GROUP = 'loglab-demo';
export const DEMO_ARCHIVE_GROUP = 'loglab-demo-archiver';
/** Where the demo writes its record and page: out/demo/run.json, out/demo/report.html. */
export const DEMO_OUT_DIR = dirname(DEMO_RUN_RECORD);

export interface DemoSettings {
  readonly lines: number;
  readonly seed: number;
  readonly broker: Broker;
  /** The demo's lake; everything under /loglab in it is deleted at the start. */
  readonly store: Store;
  readonly runner: Runner;
  /** Where the runner finds the lake's raw files: a local directory or an HDFS path. */
  readonly batchInput: string;
  readonly topic?: string;
  /** Partitions of the demo's topic (6); the lake holds a file per partition and event hour. */
  readonly partitions?: number;
  readonly groupId?: string;
  readonly archiveGroup?: string;
  /** Where run.json and report.html go (out/demo). */
  readonly outDir?: string;
  /** Rows in each top list (10). */
  readonly top?: number;
  readonly progress?: StageProgress;
  readonly now?: () => Date;
  /** Where a broker or store outage the demo waits out is said, one line each; stderr by default. */
  readonly log?: (line: string) => void;
  /**
   * How long the archiver waits for a broker that went away (5 minutes); the producer's and the
   * detection's waits are the broker's own settings (`producerOutage`, `consumerOutage`).
   */
  readonly brokerWaitMs?: number;
}

export interface DemoRun {
  readonly record: RunRecord;
  readonly stream: StreamSummary;
  readonly recordPath: string;
  readonly reportPath: string;
  /** Bytes of the HTML page. */
  readonly reportBytes: number;
}

const NO_PROGRESS: StageProgress = { start() {}, update() {}, done() {} };

/** Polls until Kafka no longer lists a topic just deleted, so that it can be made again. */
async function whenGone(broker: Broker, topic: string): Promise<void> {
  for (let i = 0; i < 100 && (await broker.listTopics()).includes(topic); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every stage of the pipeline over a generated day; the record and the page written. */
export async function runDemo(settings: DemoSettings): Promise<DemoRun> {
  const { broker, store, runner } = settings;
  const topic = settings.topic ?? DEMO_TOPIC;
  // Named after the topic: demos on other topics of one cluster never share a group.
  const groupId = settings.groupId ?? `${DEMO_GROUP}.${topic}`;
  const archiveGroup = settings.archiveGroup ?? `${DEMO_ARCHIVE_GROUP}.${topic}`;
  const top = settings.top ?? 10;
  const outDir = settings.outDir ?? DEMO_OUT_DIR;
  const p = settings.progress ?? NO_PROGRESS;
  const log = settings.log ?? ((line: string) => process.stderr.write(`loglab demo: ${line}\n`));
  const stages: StageRecord[] = [];
  const finish = (stage: StageRecord) => {
    stages.push(stage);
    p.done(stage);
  };

  // The demo's own calls on the lake wait out an outage (HDFS restarting) as the archiver's
  // do; the archiver is given the store itself and wraps it alike (run-archiver.ts).
  const lake = retryingStore(store, { onEvent: (e) => log(outageLine(store.address, e)) });
  await lake.delete(LAKE_ROOT, { recursive: true, missingOk: true });
  const removed = await removeScratch(broker, { topics: [topic], groups: [groupId, archiveGroup] });
  if (removed.topics.length > 0) await whenGone(broker, topic);

  // combined-time: the request time rides along every hop, so the slow page can be found.
  const generate = defaultOptions({
    lines: settings.lines,
    seed: settings.seed,
    incidents: [...INCIDENT_KINDS],
    format: 'combined-time',
  });
  const truth = createGenerator(generate).truth();
  const detection = detectionSettings();
  const detector = createStreamDetector({
    windowMs: detection.windowMs,
    hopMs: detection.hopMs,
    latenessMs: detection.latenessMs,
    parse: parseAuto,
  });
  const alerts: Alert[] = [];
  // Alerts go out through the outbox: a produce that a broker outage cut short is waited out
  // and not sent twice (stream-detection.ts).
  const detecting = streamDetection(broker, detector, {
    topic,
    groupId,
    log,
    onAlerts: (fresh) => {
      for (const a of fresh) alerts.push(a);
    },
  });
  const summary = createSummaryAggregator();
  const consume: BatchHandler = async (batches) => {
    for (const { records } of batches) {
      for (let i = 0; i < records.length; i++) {
        const outcome = parseAuto(records[i].value);
        if (isRejection(outcome)) summary.reject(outcome.reason);
        else summary.add(outcome);
      }
    }
    await detecting.handle(batches);
  };

  // 1. The stream: generate → broker → detection and summary, and the archiver into the lake.
  let t0 = performance.now();
  p.start('stream', settings.lines, 'lines');
  const stream = await runStream(broker, {
    generate,
    topic,
    partitions: settings.partitions,
    groupId,
    // On Kafka, messages carry the time they were sent, not the line's: a broker forgets an
    // idempotent producer once the timestamp of its last record on a partition is a day
    // (producer.id.expiration.ms) or more old, and it does so when it restarts. The demo's day
    // is from 2024, so a batch the broker had written but not acknowledged before a restart was
    // written again when it was sent again (test/cluster/demo-restart: 1,000 and 727 lines
    // twice in 2 runs of 35). The lines keep their own time; detection and the lake read it.
    timestamps: broker.engine === 'embedded' ? 'event' : 'now',
    // Committed only as far as the detector released, and finished before the last commit.
    handlers: [{ ...detecting, handle: consume }],
    archive: { store, groupId: archiveGroup, log, brokerWaitMs: settings.brokerWaitMs },
    sampleMs: 250,
    onSample: (s) => p.update(Math.min(s.consumed, s.archive?.lines ?? 0)),
  });
  const streamSeconds = seconds(t0);
  const where = broker.engine === 'embedded' ? 'the embedded broker' : `Kafka at ${broker.address}`;
  finish({
    name: 'generate + produce',
    detail: `seed ${settings.seed}, ${topic} (${stream.partitions} partitions) on ${where}`,
    lines: stream.produced,
    seconds: round(stream.produceSeconds),
  });
  finish({
    name: 'detection',
    detail: `group ${groupId}: summary and ${detection.windowMs / 60_000}-minute windows, alerts to ${ALERTS_TOPIC}`,
    lines: stream.consumed,
    seconds: round(stream.consumeSeconds),
  });
  const archived = stream.archive;
  finish({
    name: 'archive',
    detail: `group ${archiveGroup}: ${archived?.files ?? 0} files into ${store.address}`,
    lines: archived?.lines ?? 0,
    seconds: streamSeconds,
  });

  // 2. The batch jobs over the lake.
  t0 = performance.now();
  let started = false;
  const run = await runner.run(
    JOB_NAMES.map((name) => ({ name, options: { top } })),
    { paths: [settings.batchInput] },
    {
      onProgress(done, total) {
        if (!started) p.start('batch', total, 'bytes');
        started = true;
        p.update(done);
      },
    },
  );
  const batch = batchRecordOf(run);
  finish({
    name: 'batch',
    detail: `${run.jobs.length} MapReduce jobs in one pass over the lake, ${run.engine === 'embedded' ? 'embedded runner' : 'Hadoop Streaming'}`,
    lines: run.counters.records + run.counters.rejects,
    seconds: seconds(t0),
  });

  // 3. The record and the page.
  t0 = performance.now();
  const summaryResult = summary.result({ top });
  const day = new Date(generate.start).toISOString().slice(0, 10);
  const record: RunRecord = {
    kind: RUN_RECORD_KIND,
    version: RUN_RECORD_VERSION,
    createdAt: (settings.now?.() ?? new Date()).toISOString(),
    source: {
      name: `the generated day ${day} (seed ${settings.seed}, ${settings.lines} lines)`,
      engine: broker.engine,
      seed: settings.seed,
    },
    summary: summaryResult,
    detection: {
      windowMs: detection.windowMs,
      hopMs: detection.hopMs,
      latenessMs: detection.latenessMs,
      late: detector.counts().late,
      alerts,
    },
    truth: truth.incidents,
    evaluation: evaluateDetection(alerts, truth, { windowMs: detection.windowMs }),
    batch,
    stages,
  };
  // The page shows the stages up to the batch jobs; the record adds the time the page took.
  const built = await buildReport(record);
  const done: RunRecord = {
    ...record,
    stages: [
      ...stages,
      { name: 'report', detail: 'HTML page', lines: summaryResult.read, seconds: seconds(t0) },
    ],
  };
  const recordPath = join(outDir, basename(DEMO_RUN_RECORD));
  const reportPath = join(outDir, 'report.html');
  await mkdir(outDir, { recursive: true });
  await writeFile(recordPath, formatRunRecord(done));
  await writeFile(reportPath, built.html);
  p.done(done.stages[done.stages.length - 1]);
  return {
    record: done,
    stream,
    recordPath,
    reportPath,
    reportBytes: Buffer.byteLength(built.html),
  };
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}

function seconds(fromMs: number): number {
  return Math.round(performance.now() - fromMs) / 1000;
}
