/** `loglab archive` end to end through the program's entry point: exact files, exact errors. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { EMBEDDED_TOPIC_MESSAGE, topicSummary } from '../../src/cli/archive-session';
import type { ArchiverRun } from '../../src/pipeline/run-archiver';
import { BIN, ROOT, runLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = '1.2.3.4 - - [05/Dec/2026:22:59:58 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua"';
const B = '1.2.3.4 - - [05/Dec/2026:23:00:01 +0000] "GET /b HTTP/1.1" 200 5 "-" "ua"';
const C = '1.2.3.4 - - [05/Dec/2026:23:59:59 +0100] "GET /c HTTP/1.1" 200 5 "-" "ua"';
/** What a file archive leaves beside its lines: weblogs.raw is numbered by files in this lake. */
const MARKER = '/loglab/_sources/weblogs.raw.json';
const FROM_FILES = '{"topic":"weblogs.raw","source":"file"}\n';

function files(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const path = join(e.parentPath, e.name);
      out[path.slice(root.length)] = readFileSync(path, 'utf8');
    }
  }
  return out;
}

describe('loglab archive', () => {
  it('puts each line in the hour of its event time (UTC), bad lines in the dead letters', async () => {
    const lake = join(dir, 'lake1');
    const run = await runLoglab(['archive', '--lake', lake, '-'], {
      input: `${A}\n${B}\nnot a line\n${C}\n`,
    });
    expect(run.stderr).toBe(
      `archived 4 lines into 3 files (offsets 0..3; 1 of them a dead letter) in ${lake}\n`,
    );
    expect(run.code).toBe(0);
    expect(files(lake)).toEqual({
      [MARKER]: FROM_FILES,
      // C's 23:59:59 +0100 is 22:59:59 UTC.
      '/loglab/raw/date=2026-12-05/hour=22/weblogs.raw+0+0+3.log': `${A}\n${C}\n`,
      '/loglab/raw/date=2026-12-05/hour=23/weblogs.raw+0+1+1.log': `${B}\n`,
      '/loglab/deadletter/weblogs.raw+0+2+2.log':
        '{"reason":"bad-timestamp","message":"no [timestamp] after host, ident and user","line":"not a line"}\n',
    });
  });

  it('adds a second file after the first: offsets go on from the lake', async () => {
    const lake = join(dir, 'lake2');
    const log = join(dir, 'one.log');
    writeFileSync(log, `${A}\n`);
    expect((await runLoglab(['archive', '--lake', lake, log])).code).toBe(0);
    const again = await runLoglab(['archive', '--lake', lake, log]);
    expect(again.stderr).toBe(`archived 1 lines into 1 files (offsets 1..1) in ${lake}\n`);
    expect(Object.keys(files(lake)).sort()).toEqual([
      MARKER,
      '/loglab/raw/date=2026-12-05/hour=22/weblogs.raw+0+0+0.log',
      '/loglab/raw/date=2026-12-05/hour=22/weblogs.raw+0+1+1.log',
    ]);
  });

  it('says in one line what is wrong, exit 2', async () => {
    const missing = await runLoglab(['archive', '--lake', join(dir, 'l'), join(dir, 'nope.log')]);
    expect(missing.stderr).toBe(
      `loglab archive: cannot read ${join(dir, 'nope.log')}: no such file\n`,
    );
    expect(missing.code).toBe(2);
    const size = await runLoglab(['archive', '--roll-size', '0', '-'], { input: '' });
    expect(size.stderr).toBe('loglab archive: --roll-size must be a whole number ≥ 1, got "0"\n');
    expect(size.code).toBe(2);
    const notDir = join(dir, 'plain');
    writeFileSync(notDir, 'x');
    const lake = await runLoglab(['archive', '--lake', notDir, '-'], { input: `${A}\n` });
    expect(lake.stderr).toMatch(/^loglab archive: cannot use .*plain as the lake directory: .+\n$/);
    expect(lake.code).toBe(2);
  });

  it('--compress gzip: .log.gz files that give the same lines back; lake cat and du read them', async () => {
    const lake = join(dir, 'gz');
    const run = await runLoglab(['archive', '--lake', lake, '--compress', 'gzip', '-'], {
      input: `${A}\n${B}\nnot a line\n${C}\n`,
    });
    expect(run.stderr).toBe(
      `archived 4 lines into 3 files (offsets 0..3; 1 of them a dead letter) in ${lake}\n`,
    );
    const H22 = '/loglab/raw/date=2026-12-05/hour=22/weblogs.raw+0+0+3.log.gz';
    const H23 = '/loglab/raw/date=2026-12-05/hour=23/weblogs.raw+0+1+1.log.gz';
    const DEAD = '/loglab/deadletter/weblogs.raw+0+2+2.log.gz';
    const stored = files(lake);
    expect(Object.keys(stored).sort()).toEqual([MARKER, DEAD, H22, H23]);
    const gunzip = (path: string) => gunzipSync(readFileSync(join(lake, path))).toString('utf8');
    expect(gunzip(H22)).toBe(`${A}\n${C}\n`);
    expect(gunzip(H23)).toBe(`${B}\n`);
    expect(JSON.parse(gunzip(DEAD)).line).toBe('not a line');
    const cat = await runLoglab(['lake', 'cat', '--lake', lake, H22]);
    expect(cat.stdout).toBe(`${A}\n${C}\n`);
    // du counts what is stored: the compressed bytes.
    const size = (path: string) => statSync(join(lake, path)).size;
    const du = await runLoglab(['lake', 'du', '--lake', lake]);
    expect(du.stdout).toContain(`${size(H22) + size(H23)}     2 weblogs.raw+0\n`);
    // A second run recovers the next offset from the .gz names.
    const again = await runLoglab(['archive', '--lake', lake, '-'], { input: `${A}\n` });
    expect(again.stderr).toBe(`archived 1 lines into 1 files (offsets 4..4) in ${lake}\n`);
  });

  it('without FILE on the embedded engine: one line saying what works instead, exit 2', async () => {
    for (const [args, env] of [
      [['archive', '--engine', 'embedded'], {}],
      [['archive'], { LOGLAB_ENGINE: 'embedded' }],
    ] as const) {
      const run = await runLoglab([...args], { env });
      expect(run.stderr).toBe(`loglab archive: ${EMBEDDED_TOPIC_MESSAGE}\n`);
      expect(run.code).toBe(2);
    }
    expect(EMBEDDED_TOPIC_MESSAGE).toContain('`loglab archive FILE`');
    expect(EMBEDDED_TOPIC_MESSAGE).toContain('`loglab generate --lines 100000 | loglab archive -`');
  });

  it('HDFS that does not answer at start: one line, exit 2, before any broker is asked', async () => {
    const env = { LOGLAB_HDFS_URL: 'http://127.0.0.1:9', LOGLAB_KAFKA_BROKERS: '127.0.0.1:9' };
    const hint =
      'start it with `npm run cluster -- up --services hdfs`, or point LOGLAB_HDFS_URL at one';
    for (const args of [
      ['archive', '--engine', 'cluster'],
      ['archive', '--engine', 'cluster', '-'],
    ]) {
      const run = await runLoglab(args, { env, input: `${A}\n` });
      expect(run.stderr).toBe(
        `loglab archive: WebHDFS at http://127.0.0.1:9/webhdfs/v1 did not answer (ECONNREFUSED); ${hint}\n`,
      );
      expect(run.code).toBe(2);
    }
  });

  it('refuses flags that do not fit, in one line each', async () => {
    const cases: [string[], string][] = [
      [['--max', '5', '-'], '--max is for reading a topic; leave FILE out to read one'],
      [
        ['--idle-exit', '2s', '-'],
        '--idle-exit is for reading a topic; leave FILE out to read one',
      ],
      [['--group', 'g', '-'], '--group is for reading a topic; leave FILE out to read one'],
      [
        ['--broker-wait', '1m', '-'],
        '--broker-wait is for reading a topic; leave FILE out to read one',
      ],
      [
        ['--roll-interval', '5', '-'],
        '--roll-interval must be a duration such as 30s, 5m or 1h, got "5"',
      ],
      [['--idle-exit', 'soon'], '--idle-exit must be a duration such as 30s, 5m or 1h, got "soon"'],
      [['--max', '0'], '--max must be a whole number ≥ 1, got "0"'],
      [
        ['--brokers', 'nohost', '--engine', 'cluster'],
        '--brokers must be host:port[,host:port…], got "nohost"',
      ],
      [
        ['--compress', 'zip', '-'],
        "option '--compress <codec>' argument 'zip' is invalid. Allowed choices are none, gzip.",
      ],
      [
        ['--lake', 'x/y', '--engine', 'cluster', '-'],
        '--lake names a folder on HDFS: an absolute path (letters, digits and . _ = + - between slashes), got "x/y"',
      ],
    ];
    for (const [args, message] of cases) {
      const run = await runLoglab(['archive', ...args], { input: `${A}\n` });
      expect(run.stderr, args.join(' ')).toBe(`loglab archive: ${message}\n`);
      expect(run.code).toBe(2);
    }
  });

  it('Ctrl-C while reading stdin rolls what it has and exits 0', async () => {
    const lake = join(dir, 'interrupted');
    const child = spawn(process.execPath, [BIN, 'archive', '--lake', lake, '-'], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' },
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.stdin.write(`${A}\n${B}\n`);
    // stdin stays open: only the signal ends the run. Wait until the lines are under _tmp.
    for (let i = 0; i < 300; i++) {
      const tmp = join(lake, 'loglab/raw/_tmp');
      try {
        if (readdirSync(tmp).length === 2) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(err).toBe(
      `archived 2 lines into 2 files (offsets 0..1) in ${lake}; stopped by Ctrl-C\n`,
    );
    expect(code).toBe(0);
    expect(files(lake)).toEqual({
      [MARKER]: FROM_FILES,
      '/loglab/raw/date=2026-12-05/hour=22/weblogs.raw+0+0+0.log': `${A}\n`,
      '/loglab/raw/date=2026-12-05/hour=23/weblogs.raw+0+1+1.log': `${B}\n`,
    });
  });
});

describe('the last line of the topic archiver', () => {
  const run: ArchiverRun = {
    recovery: { next: new Map(), rolledForward: 1, discarded: 3 },
    lines: 1200,
    skipped: 40,
    gaps: [],
    files: 7,
    rolls: 4,
    staleRolls: 0,
    rejoins: 0,
    stoppedBy: 'idle',
    resumes: 0,
    brokerResumes: 0,
  };

  it('says what was archived, skipped, recovered, and why it stopped', () => {
    expect(topicSummary(run, 'weblogs.raw', 'archiver', 'HDFS at http://h:9870', 2000)).toBe(
      'archived 1200 lines into 7 files from weblogs.raw (group archiver) to HDFS at http://h:9870; 40 records skipped as already in the lake; at start 1 rolls finished, 3 unfinished files discarded; no gaps; nothing new for 2 s',
    );
    expect(topicSummary({ ...run, stoppedBy: 'max' }, 't', 'g', 'w')).toMatch(
      /; reached --max 1200$/,
    );
    expect(topicSummary({ ...run, stoppedBy: 'aborted' }, 't', 'g', 'w')).toMatch(
      /; stopped by Ctrl-C$/,
    );
  });

  it('counts the resumes after a store outage', () => {
    expect(topicSummary({ ...run, resumes: 2 }, 't', 'g', 'w')).toContain(
      '; no gaps; resumed 2 times after the store failed; ',
    );
  });

  it('counts the resumes after the broker was away', () => {
    expect(topicSummary({ ...run, resumes: 1, brokerResumes: 2 }, 't', 'g', 'w')).toContain(
      '; no gaps; resumed 1 times after the store failed; resumed 2 times after the broker was away; ',
    );
  });

  it('names the partitions with a gap', () => {
    expect(topicSummary({ ...run, gaps: [2] }, 't', 'g', 'w')).toContain(
      '; gaps before partition 2 (offsets the lake lacks); ',
    );
    expect(topicSummary({ ...run, gaps: [0, 3] }, 't', 'g', 'w')).toContain(
      '; gaps before partitions 0, 3 (offsets the lake lacks); ',
    );
  });
});
