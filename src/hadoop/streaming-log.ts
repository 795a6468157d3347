/**
 * Reads what the Hadoop Streaming client says about its job, line by line as it comes: the job
 * id, progress, counters, and which task attempt failed and why. Pure; run-streaming.ts feeds
 * it the client's log (log4j on stdout, `<date> <level> <logger>: <message>`, the layout of
 * CLIENT_LOG4J) and keeps the task processes' stderr apart.
 *
 * The lines it knows, as Hadoop 3.4/3.5 print them:
 *   INFO mapreduce.Job: Running job: job_1796522395891_0001
 *   INFO mapreduce.Job:  map 50% reduce 0%
 *   INFO mapred.LocalJobRunner: Starting task: attempt_local737788634_0001_m_000000_0
 *   INFO mapreduce.Job: Task Id : attempt_1796522395891_0002_m_000000_0, Status : FAILED
 *   Error: java.lang.RuntimeException: PipeMapRed.waitOutputThreads(): subprocess failed with code 1
 *   INFO mapreduce.Job: Job job_…_0002 failed with state FAILED due to: Task failed task_…_m_000000
 *   INFO streaming.PipeMapRed: PipeMapRed failed!   (the local runner, its exception follows)
 *   INFO mapreduce.Job: Counters: 55
 *   <TAB>Map-Reduce Framework
 *   <TAB><TAB>Map input records=2
 */

/** The client's log4j configuration: everything at INFO to stdout, task stderr stays on stderr. */
export const CLIENT_LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.Target=System.out
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n
log4j.logger.org.apache.hadoop.conf.Configuration.deprecation=WARN
`;

export type TaskKind = 'map' | 'reduce';

export interface FailedAttempt {
  readonly attempt: string;
  readonly kind: TaskKind | null;
  /** The exit code of the task's process, when it says one. */
  readonly exitCode: number | null;
  /** Hadoop's first line about it. */
  readonly diagnostic: string;
}

export interface StreamingLogState {
  jobId: string | null;
  map: number;
  reduce: number;
  /** group → counter → value, in the client's order. */
  counters: Record<string, Record<string, number>>;
  failures: FailedAttempt[];
  /** The task that failed the job, as YARN reports it (`task_…_m_000000`). */
  failedTask: string | null;
  /** ERROR lines of the client itself (output exists, input missing, …). */
  errors: string[];
  succeeded: boolean;
}

export function newLogState(): StreamingLogState {
  return {
    jobId: null,
    map: 0,
    reduce: 0,
    counters: {},
    failures: [],
    failedTask: null,
    errors: [],
    succeeded: false,
  };
}

const LOG_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\w+) ([\w.$]+): (.*)$/;
const SUBPROCESS_FAILED = /subprocess failed with code (\d+)/;

/** map or reduce, from an attempt id (`attempt_…_m_000000_0`). */
export function attemptKind(attempt: string): TaskKind | null {
  const m = /_([mr])_\d+_\d+$/.exec(attempt);
  return m === null ? null : m[1] === 'm' ? 'map' : 'reduce';
}

/**
 * A reader that takes the client's log one line at a time. `section` remembers where it is:
 * inside the counters block, or right after a FAILED attempt whose diagnostic follows.
 */
export function createLogReader(state: StreamingLogState = newLogState()) {
  let section: 'none' | 'counters' | 'failed' = 'none';
  let group: string | null = null;
  let lastStarted: string | null = null;

  function line(text: string): void {
    const m = LOG_LINE.exec(text);
    if (m === null) {
      continuation(text);
      return;
    }
    section = 'none';
    const [, level, logger, message] = m;
    if (level === 'ERROR') state.errors.push(message);
    const running = /^Running job: (job_\S+)/.exec(message);
    if (running !== null) {
      state.jobId = running[1];
      return;
    }
    const progress = /^ map (\d+)% reduce (\d+)%/.exec(message);
    if (progress !== null) {
      state.map = Number(progress[1]);
      state.reduce = Number(progress[2]);
      return;
    }
    const started = /^Starting task: (attempt_\S+)/.exec(message);
    if (started !== null) {
      lastStarted = started[1];
      return;
    }
    const failed = /^Task Id : (attempt_\S+), Status : FAILED/.exec(message);
    if (failed !== null) {
      state.failures.push(failure(failed[1]));
      section = 'failed';
      return;
    }
    const jobFailed = /failed with state FAILED due to: Task failed (task_\S+)/.exec(message);
    if (jobFailed !== null) {
      state.failedTask = jobFailed[1];
      return;
    }
    if (/^Counters: \d+/.test(message)) {
      section = 'counters';
      group = null;
    } else if (/^Job \S+ completed successfully/.test(message)) {
      state.succeeded = true;
    } else if (logger.endsWith('PipeMapRed') && message === 'PipeMapRed failed!') {
      // The local runner: the task ran in this JVM; its exception follows.
      state.failures.push(failure(lastStarted ?? 'attempt_local'));
      section = 'failed';
    }
  }

  function failure(attempt: string): FailedAttempt {
    return { attempt, kind: attemptKind(attempt), exitCode: null, diagnostic: '' };
  }

  function continuation(text: string): void {
    if (section === 'counters') {
      if (text.startsWith('\t\t')) {
        const eq = text.lastIndexOf('=');
        const value = Number(text.slice(eq + 1));
        if (group !== null && eq > 0 && Number.isFinite(value)) {
          state.counters[group][text.slice(2, eq)] = value;
        }
      } else if (text.startsWith('\t')) {
        group = text.trim();
        state.counters[group] ??= {};
      } else section = 'none';
      return;
    }
    if (section === 'failed') {
      const last = state.failures[state.failures.length - 1];
      if (last.diagnostic === '' && text.trim() !== '' && !text.startsWith('\t')) {
        const code = SUBPROCESS_FAILED.exec(text);
        state.failures[state.failures.length - 1] = {
          ...last,
          diagnostic: text.replace(/^Error: /, '').trim(),
          exitCode: code === null ? null : Number(code[1]),
        };
      }
    }
  }

  return { line, state };
}
