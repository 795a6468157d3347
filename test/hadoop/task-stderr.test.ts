import { describe, expect, it } from 'vitest';
import {
  containerLogContents,
  errorLine,
  stderrTail,
  yarnTaskStderr,
} from '../../src/hadoop/task-stderr';

// A node task's stderr in a YARN container, as the NodeManager serves it (trimmed paths).
const STDERR = `Picked up JAVA_TOOL_OPTIONS: --patch-module=java.base=/c/loopback/classes -Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.LoopbackSelectorProvider
about to fail
file:///nm/usercache/loglab/filecache/13/bad1.mjs:2
for await (const line of createInterface({ input: process.stdin })) { throw new Error(\`boom: \${line}\`); }
                                                                      ^

Error: boom: a b c a
    at file:///nm/usercache/loglab/filecache/13/bad1.mjs:2:109
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)

Node.js v20.20.2
`;
const NM_ANSWER = `Container: container_1796522395891_0002_01_000002 on localhost:41249
LogAggregationType: LOCAL
====================================================================
LogType:stderr
LogLastModifiedTime:Sun Dec 06 02:03:34 +0000 2026
LogLength:925
LogContents:
${STDERR}End of LogType:stderr.
***********************************************************************
`;

describe('a failed task stderr', () => {
  it('keeps the last lines that say something, without the JVM and node banners', () => {
    expect(stderrTail(STDERR)).toBe(STDERR.split('\n').slice(1, 9).join('\n'));
    expect(stderrTail(STDERR, 3).split('\n')).toEqual([
      'Error: boom: a b c a',
      '    at file:///nm/usercache/loglab/filecache/13/bad1.mjs:2:109',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ]);
  });

  it('names the error line, or the last line when none is an error', () => {
    expect(errorLine(stderrTail(STDERR))).toBe('Error: boom: a b c a');
    expect(errorLine('x\nTypeError [ERR_X]: not a function\n  at y')).toBe(
      'TypeError [ERR_X]: not a function',
    );
    expect(errorLine('killed by a signal\nexit 137')).toBe('exit 137');
    expect(errorLine('')).toBe('');
  });

  it('unwraps the NodeManager log answer', () => {
    expect(containerLogContents(NM_ANSWER)).toBe(STDERR);
    expect(containerLogContents('plain')).toBe('plain');
  });

  it('finds the failed attempt at the JobHistory server and its stderr at its NodeManager', async () => {
    const asked: string[] = [];
    const answers: Record<string, string> = {
      'http://jhs:19888/ws/v1/history/mapreduce/jobs/job_1_0002/tasks/task_1_0002_m_000000/attempts':
        JSON.stringify({
          taskAttempts: {
            taskAttempt: {
              id: 'attempt_1_0002_m_000000_0',
              state: 'FAILED',
              nodeHttpAddress: 'localhost:40111',
              assignedContainerId: 'container_1_0002_01_000002',
              diagnostics:
                'Error: java.lang.RuntimeException: PipeMapRed.waitOutputThreads(): subprocess failed with code 1\n\tat org.apache.hadoop.streaming.PipeMapRed.waitOutputThreads(PipeMapRed.java:326)\n',
            },
          },
        }),
      'http://localhost:40111/ws/v1/node/containerlogs/container_1_0002_01_000002/stderr':
        NM_ANSWER,
    };
    const fetchFn = (async (url: string) => {
      asked.push(url);
      const body = answers[url];
      return new Response(body ?? 'no', { status: body === undefined ? 404 : 200 });
    }) as typeof fetch;
    expect(
      await yarnTaskStderr('job_1_0002', 'task_1_0002_m_000000', {
        historyWeb: 'http://jhs:19888',
        fetchFn,
      }),
    ).toEqual({
      attempt: 'attempt_1_0002_m_000000_0',
      stderr: STDERR,
      diagnostics:
        'Error: java.lang.RuntimeException: PipeMapRed.waitOutputThreads(): subprocess failed with code 1\n\tat org.apache.hadoop.streaming.PipeMapRed.waitOutputThreads(PipeMapRed.java:326)\n',
    });
    expect(asked).toEqual(Object.keys(answers));
  });

  it('asks the JobHistory server again until it knows the job, then gives up with null', async () => {
    let calls = 0;
    const fetchFn = (async () => {
      calls++;
      return new Response('{"RemoteException":{}}', { status: 404 });
    }) as typeof fetch;
    expect(
      await yarnTaskStderr('job_1_0002', 'task_1_0002_m_000000', { fetchFn, tries: 3, waitMs: 1 }),
    ).toBeNull();
    expect(calls).toBe(3);
  });
});
