/**
 * Every benchmark target the project sets, in one place: which results file and figure it is
 * judged on, and the bound. BENCHMARKS.md's "Targets at a glance" computes met / not met from
 * these (`{{target ID}}`), and the summary chart draws each one's figure against its bound.
 *
 * A figure is a row's field (`row` + `field`) or a ratio the bench script recorded (`ratio`, by
 * its label). Where the script records the bound on the ratio too, it must equal the one here
 * (checked when the page is made), so the two cannot drift apart.
 *
 * Results keys are paths under bench/results without `.json`: `parse` is the embedded run's
 * bench/results/parse.json, `cluster/storage` the cluster run's.
 */

export type TargetFigure =
  | { readonly row: string; readonly field: string }
  | { readonly ratio: string };

export interface Target {
  readonly id: string;
  /** A few words for the summary chart. */
  readonly label: string;
  readonly results: string;
  readonly figure: TargetFigure;
  /** 'least': the figure must be ≥ `bound`; 'most': ≤ `bound`. */
  readonly at: 'least' | 'most';
  readonly bound: number;
  /** How the figure is written (results-format.ts), and the unit after it. */
  readonly format: string;
  readonly unit?: string;
}

export const TARGETS: readonly Target[] = [
  {
    id: 'parse-rate',
    label: 'combined parser, lines/s',
    results: 'parse',
    figure: { row: 'loglab combined parser', field: 'linesPerSec' },
    at: 'least',
    bound: 2_000_000,
    format: 'M2',
    unit: 'lines/s',
  },
  {
    id: 'parse-vs-regex',
    label: 'combined parser / regex',
    results: 'parse',
    figure: { ratio: 'loglab combined parser / regex parser' },
    at: 'least',
    bound: 3,
    format: 'x2',
  },
  {
    id: 'generate-rate',
    label: 'generator, lines/s',
    results: 'generate',
    figure: { row: 'generate combined lines (bytes)', field: 'linesPerSec' },
    at: 'least',
    bound: 1_000_000,
    format: 'M2',
    unit: 'lines/s',
  },
  {
    id: 'summary-vs-goaccess',
    label: 'summary / GoAccess',
    results: 'summary',
    figure: { ratio: 'loglab summary / GoAccess, whole processes' },
    at: 'least',
    bound: 10,
    format: 'x1',
  },
  {
    id: 'engine-rate',
    label: 'real-time engine, events/s',
    results: 'realtime',
    figure: { row: 'engine, every detector', field: 'eventsPerSec' },
    at: 'least',
    bound: 3_000_000,
    format: 'M2',
    unit: 'events/s (wall clock)',
  },
  {
    id: 'detect-rss',
    label: 'loglab detect, peak RSS MB',
    results: 'cli',
    figure: { row: 'loglab detect FILE', field: 'peakRssMB' },
    at: 'most',
    bound: 256,
    format: 'mb',
  },
  {
    id: 'latency-embedded',
    label: 'alert latency p99, embedded, ms',
    results: 'latency',
    figure: { row: 'alert latency, embedded broker', field: 'p99Ms' },
    at: 'most',
    bound: 20,
    format: 'ms1',
  },
  {
    id: 'latency-kafka',
    label: 'alert latency p99, Kafka, ms',
    results: 'cluster/latency',
    figure: { row: 'alert latency, Kafka broker', field: 'p99Ms' },
    at: 'most',
    bound: 250,
    format: 'ms1',
  },
  {
    id: 'e2e-kafka',
    label: 'stream --detect on Kafka, lines/s',
    results: 'cluster/e2e',
    figure: { row: 'loglab stream --detect, Kafka (kafkajs)', field: 'sustainedLinesPerSec' },
    at: 'least',
    bound: 100_000,
    format: 'int',
    unit: 'lines/s',
  },
  {
    id: 'embedded-broker',
    label: 'embedded broker, msgs/s',
    results: 'stream',
    figure: { row: 'embedded produce+consume', field: 'messagesPerSec' },
    at: 'least',
    bound: 2_000_000,
    format: 'M2',
    unit: 'msgs/s',
  },
  {
    id: 'kafkajs-producer',
    label: 'kafkajs / kcat, producer',
    results: 'cluster/stream',
    figure: { ratio: 'kafkajs/kcat producer, none' },
    at: 'least',
    bound: 0.5,
    format: 'f2',
  },
  {
    id: 'kafkajs-consumer',
    label: 'kafkajs / kcat, consumer',
    results: 'cluster/stream',
    figure: { ratio: 'kafkajs/kcat consumer, none' },
    at: 'least',
    bound: 0.5,
    format: 'f2',
  },
  {
    id: 'webhdfs-write',
    label: 'WebHDFS / curl, write',
    results: 'cluster/storage',
    figure: { ratio: 'loglab WebHDFS / curl, write' },
    at: 'least',
    bound: 0.9,
    format: 'x2',
  },
  {
    id: 'webhdfs-read',
    label: 'WebHDFS / curl, read',
    results: 'cluster/storage',
    figure: { ratio: 'loglab WebHDFS / curl, read' },
    at: 'least',
    bound: 0.9,
    format: 'x2',
  },
  {
    id: 'webhdfs-put',
    label: 'WebHDFS / FsShell -put',
    results: 'cluster/storage',
    figure: { ratio: 'loglab WebHDFS / FsShell -put' },
    at: 'least',
    bound: 1,
    format: 'x2',
  },
  {
    id: 'webhdfs-get',
    label: 'WebHDFS / FsShell -get',
    results: 'cluster/storage',
    figure: { ratio: 'loglab WebHDFS / FsShell -get' },
    at: 'least',
    bound: 1,
    format: 'x2',
  },
  {
    id: 'archiver-rate',
    label: 'archiver in process, lines/s',
    results: 'archive',
    figure: { row: 'loglab archiver, in process', field: 'linesPerSec' },
    at: 'least',
    bound: 1_000_000,
    format: 'M2',
    unit: 'lines/s',
  },
  {
    id: 'archiver-vs-consumer',
    label: 'archiver Kafka → HDFS / bare consumer',
    results: 'cluster/archive',
    figure: { ratio: 'archiver Kafka → HDFS / bare kafkajs consumer' },
    at: 'least',
    bound: 0.8,
    format: 'x2',
  },
  {
    id: 'mapreduce-threads',
    label: 'mapreduce 2 threads / 1',
    results: 'batch',
    figure: { ratio: '2 threads / 1 thread' },
    at: 'least',
    bound: 1.6,
    format: 'x2',
  },
  {
    id: 'mapreduce-vs-goaccess',
    label: 'four seed jobs / GoAccess',
    results: 'batch',
    figure: { ratio: 'four seed jobs / GoAccess' },
    at: 'least',
    bound: 1,
    format: 'x2',
  },
  {
    id: 'mapreduce-vs-hadoop',
    label: 'embedded / Hadoop local runner',
    results: 'cluster/batch',
    figure: { ratio: 'embedded 2 threads / Hadoop local runner' },
    at: 'least',
    bound: 20,
    format: 'x2',
  },
  {
    id: 'demo-time',
    label: 'npm run demo, seconds',
    results: 'demo',
    figure: { row: 'loglab demo', field: 'meanMs' },
    at: 'most',
    bound: 60_000,
    format: 's1',
  },
  {
    id: 'report-size',
    label: 'demo report.html, bytes',
    results: 'demo',
    figure: { row: 'loglab demo', field: 'reportBytes' },
    at: 'most',
    bound: 2 * 1024 * 1024,
    format: 'int',
    unit: 'bytes',
  },
  {
    id: 'dashboard-alert',
    label: 'web dashboard alert-to-screen p99, ms',
    results: 'dashboard',
    figure: { row: 'alert on the web page, stream --detect --web (embedded)', field: 'p99Ms' },
    at: 'most',
    bound: 1000,
    format: 'ms1',
  },
  {
    id: 'kafkajs-vs-kafka-python-producer',
    label: 'kafkajs / kafka-python, producer',
    results: 'cluster/stream',
    figure: { ratio: 'kafkajs/kafka-python producer, none' },
    at: 'least',
    bound: 1,
    format: 'x2',
  },
  {
    id: 'kafkajs-vs-kafka-python-consumer',
    label: 'kafkajs / kafka-python, consumer',
    results: 'cluster/stream',
    figure: { ratio: 'kafkajs/kafka-python consumer, none' },
    at: 'least',
    bound: 1,
    format: 'x2',
  },
];
