/**
 * The client's log as Hadoop 3.5 with hadoop-streaming 3.4.2 printed it (trimmed), on YARN and
 * on the local runner.
 */
import { describe, expect, it } from 'vitest';
import { attemptKind, createLogReader } from '../../src/hadoop/streaming-log';

const read = (text: string) => {
  const reader = createLogReader();
  for (const line of text.split('\n')) reader.line(line);
  return reader.state;
};

const YARN_OK = `2026-12-06 02:01:34,585 INFO impl.YarnClientImpl: Submitted application application_1796522395891_0001
2026-12-06 02:01:34,615 INFO mapreduce.Job: Running job: job_1796522395891_0001
2026-12-06 02:02:01,943 INFO mapreduce.Job:  map 0% reduce 0%
2026-12-06 02:02:22,440 INFO mapreduce.Job:  map 50% reduce 0%
2026-12-06 02:02:38,681 INFO mapreduce.Job:  map 100% reduce 100%
2026-12-06 02:02:39,716 INFO mapreduce.Job: Job job_1796522395891_0001 completed successfully
2026-12-06 02:02:40,095 INFO mapreduce.Job: Counters: 55
\tFile System Counters
\t\tHDFS: Number of bytes read=213
\tJob Counters 
\t\tLaunched map tasks=2
\tMap-Reduce Framework
\t\tMap input records=2
\t\tReduce output records=2
\tloglab
\t\trejects=0
2026-12-06 02:02:40,096 INFO streaming.StreamJob: Output directory: /tmp/out`;

const YARN_FAILED = `2026-12-06 02:02:57,842 INFO mapreduce.Job: Running job: job_1796522395891_0002
2026-12-06 02:03:36,906 INFO mapreduce.Job:  map 100% reduce 100%
2026-12-06 02:03:37,933 INFO mapreduce.Job: Job job_1796522395891_0002 failed with state FAILED due to: Task failed task_1796522395891_0002_m_000000
Job failed as tasks failed. failedMaps:1 failedReduces:0 killedMaps:0 killedReduces: 0

2026-12-06 02:03:38,055 INFO mapreduce.Job: Counters: 10
\tJob Counters 
\t\tFailed map tasks=1
2026-12-06 02:03:38,055 ERROR streaming.StreamJob: Job not successful!`;

const YARN_RETRIED = `2026-12-06 02:03:20,000 INFO mapreduce.Job: Running job: job_1796522395891_0003
2026-12-06 02:03:30,000 INFO mapreduce.Job: Task Id : attempt_1796522395891_0003_r_000001_0, Status : FAILED
Error: java.lang.RuntimeException: PipeMapRed.waitOutputThreads(): subprocess failed with code 3
\tat org.apache.hadoop.streaming.PipeMapRed.waitOutputThreads(PipeMapRed.java:326)`;

const LOCAL_FAILED = `2026-12-06 02:01:15,370 INFO mapreduce.Job: Running job: job_local737788634_0001
2026-12-06 02:01:16,381 INFO mapreduce.Job:  map 0% reduce 0%
2026-12-06 02:01:16,500 INFO mapred.LocalJobRunner: Starting task: attempt_local737788634_0001_m_000000_0
2026-12-06 02:01:16,703 INFO streaming.PipeMapRed: PipeMapRed exec [/usr/bin/node, bad.mjs]
2026-12-06 02:01:17,364 INFO streaming.PipeMapRed: PipeMapRed failed!
java.lang.RuntimeException: PipeMapRed.waitOutputThreads(): subprocess failed with code 1
\tat org.apache.hadoop.streaming.PipeMapRed.waitOutputThreads(PipeMapRed.java:326)
2026-12-06 02:01:17,429 WARN mapred.LocalJobRunner: job_local737788634_0001
java.lang.Exception: java.lang.RuntimeException: PipeMapRed.waitOutputThreads(): subprocess failed with code 1
2026-12-06 02:01:18,402 INFO mapreduce.Job: Job job_local737788634_0001 failed with state FAILED due to: NA
2026-12-06 02:01:18,429 ERROR streaming.StreamJob: Job not successful!`;

describe('the Hadoop Streaming client log', () => {
  it('gives the job id, progress, success and counters by group', () => {
    expect(read(YARN_OK)).toEqual({
      jobId: 'job_1796522395891_0001',
      map: 100,
      reduce: 100,
      counters: {
        'File System Counters': { 'HDFS: Number of bytes read': 213 },
        'Job Counters': { 'Launched map tasks': 2 },
        'Map-Reduce Framework': { 'Map input records': 2, 'Reduce output records': 2 },
        loglab: { rejects: 0 },
      },
      failures: [],
      failedTask: null,
      errors: [],
      succeeded: true,
    });
  });

  it('names the task that failed a YARN job', () => {
    const state = read(YARN_FAILED);
    expect([state.succeeded, state.failedTask, state.errors]).toEqual([
      false,
      'task_1796522395891_0002_m_000000',
      ['Job not successful!'],
    ]);
    expect(state.counters).toEqual({ 'Job Counters': { 'Failed map tasks': 1 } });
  });

  it('reads a failed attempt and its exit code from the line after it', () => {
    expect(read(YARN_RETRIED).failures).toEqual([
      {
        attempt: 'attempt_1796522395891_0003_r_000001_0',
        kind: 'reduce',
        exitCode: 3,
        diagnostic:
          'java.lang.RuntimeException: PipeMapRed.waitOutputThreads(): subprocess failed with code 3',
      },
    ]);
  });

  it('ties a local runner failure to the task it last started', () => {
    expect(read(LOCAL_FAILED).failures).toEqual([
      {
        attempt: 'attempt_local737788634_0001_m_000000_0',
        kind: 'map',
        exitCode: 1,
        diagnostic:
          'java.lang.RuntimeException: PipeMapRed.waitOutputThreads(): subprocess failed with code 1',
      },
    ]);
  });

  it('tells map from reduce attempts', () => {
    expect(
      ['attempt_1_0001_m_000000_0', 'attempt_local9_0001_r_000002_1', 'task_1_0001_m_000000'].map(
        attemptKind,
      ),
    ).toEqual(['map', 'reduce', null]);
  });
});
