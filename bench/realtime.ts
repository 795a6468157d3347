/**
 * Real-time detection: events per second through event-time windows with every detector on
 * (records already parsed; target ≥ 3,000,000 on one core), the same with parsing included, each
 * detector alone for comparison, and resident memory for 10,000,000 events over 100,000 distinct
 * addresses (target < 256 MB), measured in a fresh child process that streams its events.
 *
 *   npx tsx bench/realtime.ts [--lines N] [--time MS] [--memory-events N] [--memory-ips N]
 *
 * The throughput input is a generated day (every incident injected, seed 42, written as
 * combined-time so that every record carries a request time for slow-page): each task runs a
 * new engine over all of it and flushes, so window closing, eviction and alerting are in the
 * figure. Prints the table and writes bench/results/realtime.json.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchArgs } from '../src/bench/args';
import {
  type BenchTask,
  createReport,
  formatReport,
  freeMemoryGiB,
  runTasks,
  writeReport,
} from '../src/bench/harness';
import { heapFlagsFor } from '../src/cli/heap-settings';
import {
  createGenerator,
  DEFAULT_START,
  defaultOptions,
  generateLines,
  INCIDENT_KINDS,
} from '../src/generate/index';
import { parseCombinedTime } from '../src/log/combined';
import { isRecord, type LogRecord } from '../src/log/record';
import { createDetectionEngine, type DetectionEngineOptions } from '../src/realtime/index';

const TARGET_EVENTS_PER_SEC = 3_000_000;
const TARGET_RSS_MB = 256;

const args = benchArgs(
  'realtime',
  `usage: npx tsx bench/realtime.ts [--lines N] [--time MS] [--memory-events N] [--memory-ips N]
Events per second through the detection engine with every detector (pre-parsed and with
parsing), each detector alone, and resident memory for --memory-events events over
--memory-ips addresses in a child process. Writes bench/results/realtime.json.`,
  // --memory-child: the child process of the memory check (not for users).
  { values: ['lines', 'time', 'memory-events', 'memory-ips'], switches: ['memory-child'] },
);

const memoryEvents = args.count('memory-events', 10_000_000);
const memoryIps = args.count('memory-ips', 100_000);

interface MemoryResult {
  events: number;
  ips: number;
  /** The kernel's peak resident set of the child process (getrusage's maxRSS), in MiB. */
  peakRssMB: number;
  /** The largest RSS the child sampled every 250,000 events: what this check reported before. */
  sampledPeakRssMB: number;
  endRssMB: number;
  peakLiveIps: number;
  seconds: number;
  alertLines: number;
}

/**
 * The memory check, run in its own process: synthetic records made one at a time (as a parser
 * makes them) and dropped after use. The peak is the kernel's (getrusage maxRSS, as the whole
 * commands of bench/cli.ts report theirs): RSS sampled every 250,000 events missed the peaks
 * between samples (it printed 237–246 MB where the kernel's peak was 258 MiB). Addresses are spread so that every one of them is active
 * in every few minutes, which is the worst case for the engine's state: all keys live at once.
 */
function memoryChild(): void {
  const ips: string[] = [];
  for (let i = 0; i < memoryIps; i++) {
    ips.push(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  }
  const paths: string[] = [];
  for (let i = 0; i < 2000; i++) paths.push(`/product/item-${i}`);
  let alertLines = 0;
  const engine = createDetectionEngine({
    sink: () => {
      alertLines++;
    },
  });
  // Three hours: each address comes back about every 100 s, so none is ever evicted for long.
  const msPerEvent = (3 * 3_600_000) / memoryEvents;
  let peak = 0;
  let peakLive = 0;
  const started = performance.now();
  for (let i = 0; i < memoryEvents; i++) {
    const ip = ips[Math.floor((((i * 2_654_435_761) % 4_294_967_296) / 4_294_967_296) * memoryIps)];
    const status = i % 100 === 0 ? 404 : i % 250 === 1 ? 500 : 200;
    // 5xx spread evenly over the URLs, 404 on a thousand missing paths.
    const path =
      status === 404
        ? `/missing/${i % 1000}`
        : paths[(status === 500 ? Math.floor(i / 250) : i * 7919) % paths.length];
    const record: LogRecord = {
      ip,
      ident: null,
      user: null,
      time: DEFAULT_START + Math.floor(i * msPerEvent),
      method: 'GET',
      path,
      protocol: 'HTTP/1.1',
      status,
      bytes: 1000,
      referrer: null,
      userAgent: 'bench',
      durationMs: null,
    };
    engine.process(record);
    if (i % 250_000 === 0) {
      peak = Math.max(peak, process.memoryUsage().rss);
      peakLive = Math.max(peakLive, engine.counters().liveIps);
    }
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const seconds = (performance.now() - started) / 1000;
  engine.flush();
  const result: MemoryResult = {
    events: memoryEvents,
    ips: memoryIps,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    sampledPeakRssMB: Math.round(peak / 2 ** 20),
    endRssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    peakLiveIps: peakLive,
    seconds: Math.round(seconds * 10) / 10,
    alertLines,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (args.on('memory-child')) {
  memoryChild();
  process.exit(0);
}

const lines = args.count('lines', 1_000_000);
const time = args.count('time', 1500);

process.stdout.write(`generating ${lines} lines (a day, every incident) …\n`);
const options = defaultOptions({
  lines,
  seed: 42,
  incidents: [...INCIDENT_KINDS],
  format: 'combined-time',
});
const records = [...createGenerator(options).records()];
const text = [...generateLines(options)];
const bytes = text.reduce((n, line) => n + line.length + 1, 0);

// Counters the tasks write to, so the JIT cannot drop their work.
let alertLines = 0;
let parsedRecords = 0;
function runEngine(input: LogRecord[], settings: Omit<DetectionEngineOptions, 'sink'>): void {
  const engine = createDetectionEngine({
    ...settings,
    sink: () => {
      alertLines++;
    },
  });
  for (let i = 0; i < input.length; i++) engine.process(input[i]);
  engine.flush();
}

const off = {
  errorSpike: false,
  ipFlood: false,
  scanner: false,
  prefixFlood: false,
  slowScan: false,
  slowPage: false,
  anomaly: false,
} as const;
const tasks: BenchTask[] = [
  {
    name: 'engine, every detector',
    group: 'parsed records',
    fn: () => runEngine(records, {}),
    per: { events: lines },
  },
  ...(
    ['errorSpike', 'ipFlood', 'scanner', 'prefixFlood', 'slowScan', 'slowPage', 'anomaly'] as const
  ).map(
    (name): BenchTask => ({
      name: `engine, ${name} only`,
      group: 'parsed records',
      fn: () => runEngine(records, { ...off, [name]: {} }),
      per: { events: lines },
    }),
  ),
  {
    name: 'parse only (combined-time)',
    group: 'lines',
    fn: () => {
      for (let i = 0; i < text.length; i++)
        if (isRecord(parseCombinedTime(text[i]))) parsedRecords++;
    },
    per: { events: lines, lines, bytes },
  },
  {
    name: 'parse + engine, every detector',
    group: 'lines',
    fn: () => {
      const engine = createDetectionEngine({
        sink: () => {
          alertLines++;
        },
      });
      for (let i = 0; i < text.length; i++) {
        const outcome = parseCombinedTime(text[i]);
        if (isRecord(outcome)) engine.process(outcome);
      }
      engine.flush();
    },
    per: { events: lines, lines, bytes },
  },
];

const rows = await runTasks(tasks, { time });

/**
 * Events per second of CPU time (user + system, all threads of the process): what one core
 * does, however busy the machine is. The wall-clock figures above shrink when other processes
 * compete for the two cores; this one does not (GC helper threads count against it).
 */
function cpuRate(fn: () => void, events: number, runs = 5): number {
  fn();
  const start = process.cpuUsage();
  for (let i = 0; i < runs; i++) fn();
  const used = process.cpuUsage(start);
  return (events * runs) / ((used.user + used.system) / 1e6);
}
const allCpu = cpuRate(() => runEngine(records, {}), lines);
const parsedCpu = cpuRate(() => {
  const engine = createDetectionEngine({
    sink: () => {
      alertLines++;
    },
  });
  for (let i = 0; i < text.length; i++) {
    const outcome = parseCombinedTime(text[i]);
    if (isRecord(outcome)) engine.process(outcome);
  }
  engine.flush();
}, lines);

process.stdout.write(
  `memory check: ${memoryEvents.toLocaleString('en-US')} events over ${memoryIps.toLocaleString('en-US')} addresses …\n`,
);
const child = spawnSync(
  process.execPath,
  [
    ...process.execArgv,
    // The engine's heap as `loglab detect` runs it (src/cli/heap-settings.ts).
    ...heapFlagsFor('detect'),
    fileURLToPath(import.meta.url),
    '--memory-child',
    '--memory-events',
    String(memoryEvents),
    '--memory-ips',
    String(memoryIps),
  ],
  { encoding: 'utf8' },
);
if (child.status !== 0) {
  process.stderr.write(`bench/realtime: the memory check failed: ${child.stderr}\n`);
  process.exit(1);
}
const memory = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as MemoryResult;

const all = rows.find((r) => r.name === 'engine, every detector');
const parsed = rows.find((r) => r.name === 'parse + engine, every detector');
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const rate = (x: number | undefined) => Math.round(x ?? 0).toLocaleString('en-US');
const notes = [
  `input: a generated day, ${lines.toLocaleString('en-US')} lines, every incident ` +
    `(${alertLines.toLocaleString('en-US')} alert lines and ${parsedRecords.toLocaleString('en-US')} parsed records over all runs)`,
  `engine, every detector: ${rate(allCpu)} events per CPU-second ` +
    `(target ≥ ${TARGET_EVENTS_PER_SEC.toLocaleString('en-US')} on one core: ${verdict(allCpu >= TARGET_EVENTS_PER_SEC)}); ` +
    `${rate(all?.eventsPerSec)} events/s wall clock`,
  `with parsing: ${rate(parsedCpu)} events per CPU-second; ${rate(parsed?.eventsPerSec)} events/s wall clock`,
  `memory: ${memory.events.toLocaleString('en-US')} events over ${memory.ips.toLocaleString('en-US')} addresses, ` +
    `peak RSS ${memory.peakRssMB} MB (the kernel's peak of the child process; sampled every 250,000 events it reads ${memory.sampledPeakRssMB} MB), ${memory.peakLiveIps.toLocaleString('en-US')} addresses live at most, ` +
    `${memory.seconds} s (${Math.round(memory.events / memory.seconds).toLocaleString('en-US')} events/s with record creation) ` +
    `(target < ${TARGET_RSS_MB} MB: ${verdict(memory.peakRssMB < TARGET_RSS_MB)})`,
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}, free memory ${freeMemoryGiB()} GiB`,
];
const report = createReport('realtime', rows, [], notes);
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
