/**
 * Grades labs/05-sessions on loglab's embedded runner: the tests run against exercise.ts
 * (`npm run lab -- 05`) or solution.ts (`npm test`); every title names the file it graded. The
 * job runs as a module, as the learner would run it (`loglab mapreduce run
 * labs/05-sessions/exercise.ts`), on several threads and reducers, next to the library's
 * `sessions` job, and its rows must be exactly that job's. The same job runs on Hadoop's local
 * runner in test/cluster/lab05-sessions.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import type { Row } from '../../src/batch/job';
import { sessionSummary } from '../../src/batch/jobs/sessions';
import { defaultOptions, generateLines, INCIDENT_KINDS } from '../../src/generate/index';
import type { LogRecord } from '../../src/log/record';
import { loadLab } from '../target';
import { EDGE_FILES, EDGE_ROWS } from './edge-log';

const { impl, file } = await loadLab<typeof import('./solution')>(import.meta.url);
const { visitorKey, cutSessions, LAB_JOB_NAME } = impl;
const LAB = `labs/05-sessions/${file}`;
const module = fileURLToPath(new URL(`./${file}`, import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'loglab-lab05-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A generated day with every incident, written once. */
let dayFile: string | null = null;
function generatedDay(): string {
  if (dayFile === null) {
    dayFile = join(dir, 'day.log');
    const lines = generateLines(
      defaultOptions({ lines: 20_000, seed: 5, incidents: [...INCIDENT_KINDS] }),
    );
    writeFileSync(dayFile, [...lines].map((l) => `${l}\n`).join(''));
  }
  return dayFile;
}

const T = Date.UTC(2026, 11, 5, 10);
const MIN = 60_000;

function record(ip: string, userAgent: string | null): LogRecord {
  return {
    ip,
    ident: null,
    user: null,
    time: T,
    method: 'GET',
    path: '/',
    protocol: 'HTTP/1.1',
    status: 200,
    bytes: 1,
    referrer: null,
    userAgent,
    durationMs: null,
  };
}

/** The lab's job and the library's `sessions` job in one run: their rows, by job. */
async function runBoth(
  paths: string[],
  threads: { workers: number; reducers: number; splitBytes?: number },
): Promise<{ lab: Row[]; reference: Row[] }> {
  const run = await createEmbeddedRunner({
    workers: threads.workers,
    splitBytes: threads.splitBytes,
    // Map on the worker threads too, so a visitor's requests meet from different threads.
    mainThreadSplits: threads.workers > 1 ? 1 : undefined,
    parallelReduceBytes: 1,
  }).run([{ name: 'sessions' }, { name: LAB_JOB_NAME, module }], { paths }, threads);
  const rows = (name: string) => run.jobs.find((j) => j.name === name)?.rows ?? [];
  return { lab: rows(LAB_JOB_NAME), reference: rows('sessions') };
}

describe(`${LAB}: visitorKey (the key decides what a reducer sees together)`, () => {
  it('keeps two user agents behind one address apart', () => {
    expect(visitorKey(record('10.0.0.1', 'UA-A'))).not.toBe(visitorKey(record('10.0.0.1', 'UA-B')));
  });

  it('keeps one user agent on two addresses apart', () => {
    expect(visitorKey(record('10.0.0.1', 'UA-A'))).not.toBe(visitorKey(record('10.0.0.2', 'UA-A')));
  });

  it('gives every request of one visitor the same key, whatever else differs', () => {
    const a = record('10.0.0.1', 'Mozilla/5.0 (X11)');
    const b = { ...record('10.0.0.1', 'Mozilla/5.0 (X11)'), time: T + 5 * MIN, path: '/b' };
    expect(visitorKey(b)).toBe(visitorKey(a));
  });

  it('counts a missing user agent as "-": null, "" and "-" are one visitor', () => {
    const dash = visitorKey(record('10.0.0.3', '-'));
    expect(visitorKey(record('10.0.0.3', null))).toBe(dash);
    expect(visitorKey(record('10.0.0.3', ''))).toBe(dash);
  });
});

describe(`${LAB}: cutSessions (30 minutes of inactivity)`, () => {
  it('makes one session of 0 ms and one page of a single request', () => {
    expect(cutSessions([T])).toEqual([{ start: T, end: T, pages: 1 }]);
  });

  it('keeps a gap of exactly 30 minutes inside the session', () => {
    expect(cutSessions([T, T + 30 * MIN])).toEqual([{ start: T, end: T + 30 * MIN, pages: 2 }]);
  });

  it('cuts at a gap of 30 minutes and 1 ms', () => {
    expect(cutSessions([T, T + 30 * MIN + 1])).toEqual([
      { start: T, end: T, pages: 1 },
      { start: T + 30 * MIN + 1, end: T + 30 * MIN + 1, pages: 1 },
    ]);
  });

  it('sorts times given in any order, the way a reducer receives them', () => {
    const times = [T + 70 * MIN, T, T + 20 * MIN, T + 35 * MIN, T + 110 * MIN];
    expect(cutSessions(times)).toEqual([
      { start: T, end: T + 35 * MIN, pages: 3 },
      { start: T + 70 * MIN, end: T + 70 * MIN, pages: 1 },
      { start: T + 110 * MIN, end: T + 110 * MIN, pages: 1 },
    ]);
  });

  it('counts two requests in the same millisecond as two pages', () => {
    expect(cutSessions([T + MIN, T, T])).toEqual([{ start: T, end: T + MIN, pages: 3 }]);
  });

  it('sorts times as numbers, not as text', () => {
    // As text, "9…" sorts after "1…": a 13-digit time and a 12-digit one in the wrong order.
    const early = 999_999_999_999;
    expect(cutSessions([early + 1, early])).toEqual([{ start: early, end: early + 1, pages: 2 }]);
  });
});

describe(`${LAB}: the job on the embedded runner`, () => {
  it('gives the rows counted by hand on the edge cases, across two files and three reducers', async () => {
    // EDGE_FILES: a visitor's requests out of order and split over both files, a gap of exactly
    // 30 minutes and one of 30 minutes and 1 s, one address with two user agents, "-" and "".
    const paths = EDGE_FILES.map((text, i) => {
      const path = join(dir, `edge-${i}.log`);
      writeFileSync(path, text);
      return path;
    });
    const { lab, reference } = await runBoth(paths, { workers: 2, reducers: 3 });
    expect(reference).toEqual(EDGE_ROWS);
    expect(lab).toEqual(EDGE_ROWS);
  });

  it('gives exactly the rows of the library job on a generated day', async () => {
    // Small splits: most visitors' requests are mapped by more than one split and thread.
    const { lab, reference } = await runBoth([generatedDay()], {
      workers: 2,
      reducers: 4,
      splitBytes: 256 * 1024,
    });
    expect(reference).toHaveLength(18);
    expect(sessionSummary(reference as never).sessions).toBe(821);
    expect(lab).toEqual(reference);
  });

  it('gives the same rows with one thread and one reducer', async () => {
    const one = await runBoth([generatedDay()], { workers: 1, reducers: 1 });
    expect(one.lab).toEqual(one.reference);
  });
});
