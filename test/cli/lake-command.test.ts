/** `loglab lake ls|du|cat` end to end through the program's entry point, on lakes `loglab archive` made. */

import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, runLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-lake-'));

// 73 bytes each, 74 with the newline.
const A = '1.2.3.4 - - [05/Dec/2026:22:59:58 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua"';
const B = '1.2.3.4 - - [05/Dec/2026:23:00:01 +0000] "GET /b HTTP/1.1" 200 5 "-" "ua"';
const C = '1.2.3.4 - - [05/Dec/2026:23:59:59 +0100] "GET /c HTTP/1.1" 200 5 "-" "ua"';
const DEAD =
  '{"reason":"bad-timestamp","message":"no [timestamp] after host, ident and user","line":"not a line"}\n';

const H22 = '/loglab/raw/date=2026-12-05/hour=22';
const H23 = '/loglab/raw/date=2026-12-05/hour=23';

/** A lake of A, B, C and a bad line, then D in a second run: offsets go on from the first. */
const small = join(dir, 'small');

beforeAll(async () => {
  const first = await runLoglab(['archive', '--lake', small, '-'], {
    input: `${A}\n${B}\nnot a line\n${C}\n`,
  });
  expect(first.code).toBe(0);
  const second = await runLoglab(['archive', '--lake', small, '-'], { input: `${B}\n` });
  expect(second.code).toBe(0);
  // A half-written file, as an archiver killed mid-file leaves it: never shown, never counted.
  mkdirSync(join(small, 'loglab/raw/_tmp'), { recursive: true });
  writeFileSync(join(small, 'loglab/raw/_tmp/weblogs.raw+0+5.tmp'), `${A}\n`);
});

describe('loglab lake ls', () => {
  it('lists TYPE SIZE NAME, hiding _tmp unless --all', async () => {
    const top = await runLoglab(['lake', 'ls', '--lake', small]);
    expect([top.code, top.stderr, top.stdout]).toEqual([0, '', 'dir  0 date=2026-12-05\n']);
    const all = await runLoglab(['lake', 'ls', '--lake', small, '--all', '/loglab/raw/']);
    expect(all.stdout).toBe('dir  0 _tmp\ndir  0 date=2026-12-05\n');
    const hour = await runLoglab(['lake', 'ls', '--lake', small, H23]);
    expect(hour.stdout).toBe('file 74 weblogs.raw+0+1+1.log\nfile 74 weblogs.raw+0+4+4.log\n');
    const file = await runLoglab(['lake', 'ls', '--lake', small, `${H22}/weblogs.raw+0+0+3.log`]);
    expect(file.stdout).toBe('file 148 weblogs.raw+0+0+3.log\n');
  });
});

describe('loglab lake du', () => {
  it('totals bytes and files per hour and per Kafka partition, _tmp not counted', async () => {
    const run = await runLoglab(['lake', 'du', '--lake', small]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'BYTES FILES HOUR PARTITION',
        '  148     1 date=2026-12-05/hour=22',
        '  148     2 date=2026-12-05/hour=23',
        'BYTES FILES KAFKA PARTITION',
        '  296     3 weblogs.raw+0',
        '  296     3 total',
        '',
      ].join('\n'),
    );
  });

  it('counts files outside hour partitions under their directory, names it cannot read apart', async () => {
    const lake = join(dir, 'mixed');
    expect(
      (await runLoglab(['archive', '--lake', lake, '-'], { input: `${A}\nnot a line\n` })).code,
    ).toBe(0);
    writeFileSync(join(lake, 'loglab/raw/date=2026-12-05/hour=22/notes.txt'), 'hello\n');
    mkdirSync(join(lake, 'loglab/raw/date=2026-12-05/hour=22/_tmp'));
    writeFileSync(join(lake, 'loglab/raw/date=2026-12-05/hour=22/_tmp/x.log'), 'ignored\n');
    const run = await runLoglab(['lake', 'du', '--lake', lake, '/loglab']);
    expect(run.stdout).toBe(
      [
        'BYTES FILES HOUR PARTITION',
        `  ${DEAD.length}     1 /loglab/deadletter`,
        '   80     2 date=2026-12-05/hour=22',
        'BYTES FILES KAFKA PARTITION',
        `  ${DEAD.length + 74}     2 weblogs.raw+0`,
        '    6     1 (not a raw file name)',
        `  ${DEAD.length + 80}     3 total`,
        '',
      ].join('\n'),
    );
  });

  it('matches the files on disk for a generated day, per hour and in total', async () => {
    const lake = join(dir, 'generated');
    const log = join(dir, 'generated.log');
    const gen = await runLoglab(['generate', '--lines', '2000', '--seed', '7', '-o', log]);
    expect(gen.code).toBe(0);
    expect((await runLoglab(['archive', '--lake', lake, '--roll-size', '20000', log])).code).toBe(
      0,
    );
    // The oracle: sizes read straight from the disk, by hour directory.
    const expected = new Map<string, [number, number]>();
    let bytes = 0;
    let files = 0;
    const raw = join(lake, 'loglab/raw');
    for (const day of readdirSync(raw)) {
      for (const hour of readdirSync(join(raw, day))) {
        for (const f of readdirSync(join(raw, day, hour))) {
          const size = statSync(join(raw, day, hour, f)).size;
          const [b, n] = expected.get(`${day}/${hour}`) ?? [0, 0];
          expected.set(`${day}/${hour}`, [b + size, n + 1]);
          bytes += size;
          files += 1;
        }
      }
    }
    expect(files).toBeGreaterThan(24);
    const run = await runLoglab(['lake', 'du', '--lake', lake]);
    const rows = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.trim().split(/ +/));
    const hours = rows.slice(1, 1 + expected.size);
    expect(hours).toEqual([...expected].sort().map(([key, [b, n]]) => [String(b), String(n), key]));
    expect(rows.slice(-3)).toEqual([
      ['BYTES', 'FILES', 'KAFKA', 'PARTITION'],
      [String(bytes), String(files), 'weblogs.raw+0'],
      [String(bytes), String(files), 'total'],
    ]);
    // Every line of the log is in the lake once: cat of each file, in file order, gives them back.
    const generated = readFileSync(log, 'utf8').split('\n').slice(0, -1);
    const listed: string[] = [];
    for (const day of readdirSync(raw)) {
      for (const hour of readdirSync(join(raw, day))) {
        for (const f of readdirSync(join(raw, day, hour))) {
          const path = `/loglab/raw/${day}/${hour}/${f}`;
          const cat = await runLoglab(['lake', 'cat', '--lake', lake, path]);
          expect(cat.code).toBe(0);
          expect(cat.stdout).toBe(readFileSync(join(raw, day, hour, f), 'utf8'));
          listed.push(...cat.stdout.split('\n').slice(0, -1));
        }
      }
    }
    expect(listed.sort()).toEqual(generated.sort());
  });
});

describe('loglab lake cat', () => {
  it('streams the lines of one file, exactly those archived there', async () => {
    const run = await runLoglab(['lake', 'cat', '--lake', small, `${H22}/weblogs.raw+0+0+3.log`]);
    expect([run.code, run.stderr, run.stdout]).toEqual([0, '', `${A}\n${C}\n`]);
    const dead = await runLoglab([
      'lake',
      'cat',
      '--lake',
      small,
      '/loglab/deadletter/weblogs.raw+0+2+2.log',
    ]);
    expect(dead.stdout).toBe(DEAD);
  });

  it('stops quietly, exit 0, when the reader goes away (EPIPE)', () => {
    const lake = join(dir, 'big');
    mkdirSync(join(lake, 'loglab/raw/date=2026-12-05/hour=22'), { recursive: true });
    writeFileSync(
      join(lake, 'loglab/raw/date=2026-12-05/hour=22/weblogs.raw+0+0+99999.log'),
      `${A}\n`.repeat(100_000),
    );
    const script = `"${process.execPath}" "${BIN}" lake cat --lake "${lake}" ${H22}/weblogs.raw+0+0+99999.log | head -n 1; echo "status \${PIPESTATUS[0]}"`;
    const run = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 });
    expect([run.stdout, run.stderr]).toEqual([`${A}\nstatus 0\n`, '']);
  });

  it('says in one line when WebHDFS does not answer (cluster engine)', async () => {
    const run = await runLoglab(['lake', 'ls', '--engine', 'cluster'], {
      env: { LOGLAB_HDFS_URL: 'http://127.0.0.1:1' },
    });
    expect([run.code, run.stdout, run.stderr]).toEqual([
      2,
      '',
      'loglab lake: WebHDFS at http://127.0.0.1:1/webhdfs/v1 did not answer (ECONNREFUSED)\n',
    ]);
  });

  it('gunzips a .log.gz file', async () => {
    const lake = join(dir, 'gz');
    mkdirSync(join(lake, 'loglab/raw/date=2026-12-05/hour=22'), { recursive: true });
    writeFileSync(
      join(lake, 'loglab/raw/date=2026-12-05/hour=22/weblogs.raw+1+0+1.log.gz'),
      gzipSync(`${A}\n${C}\n`),
    );
    const run = await runLoglab(['lake', 'cat', '--lake', lake, `${H22}/weblogs.raw+1+0+1.log.gz`]);
    expect(run.stdout).toBe(`${A}\n${C}\n`);
  });
});

describe('loglab lake: bad paths and flags, one line and exit 2', () => {
  const cases: Array<[string[], string]> = [
    [['ls', 'loglab/raw'], 'lake path "loglab/raw" must start with /'],
    [['ls', '/loglab/../..'], 'lake path "/loglab/../.." has a . or .. segment'],
    [['du', '/loglab//raw'], 'lake path "/loglab//raw" has an empty segment (//)'],
    [
      ['cat', '/etc/pass wd'],
      'lake path "/etc/pass wd" may only use letters, digits and . _ = + - between slashes',
    ],
    [['ls', '/loglab/nope'], '/loglab/nope: no such file or directory in the lake'],
    [['du', '/loglab/nope'], '/loglab/nope: no such file or directory in the lake'],
    [['cat', '/loglab/nope.log'], '/loglab/nope.log: no such file or directory in the lake'],
    [['cat', '/loglab/raw'], '/loglab/raw: is a directory, not a file'],
    [['ls', '--engine', 'hdfs'], '--engine must be embedded or cluster, got "hdfs"'],
  ];
  for (const [args, message] of cases) {
    it(`lake ${args.join(' ')}`, async () => {
      const run = await runLoglab(['lake', ...args, '--lake', small]);
      expect([run.code, run.stdout, run.stderr]).toEqual([2, '', `loglab lake: ${message}\n`]);
    });
  }

  it('takes --lake on the cluster engine as a folder on HDFS, refused when not a lake path', async () => {
    for (const bad of ['lake', '/user/me lake', '/user/../x', '/a\nb']) {
      const run = await runLoglab(['lake', 'ls', '--engine', 'cluster', '--lake', bad]);
      expect([run.code, run.stdout, run.stderr]).toEqual([
        2,
        '',
        `loglab lake: --lake names a folder on HDFS: an absolute path (letters, digits and . _ = + - between slashes), got ${JSON.stringify(bad)}\n`,
      ]);
    }
    // A good one is not refused: it goes to HDFS, here where nothing answers.
    const run = await runLoglab(['lake', 'ls', '--engine', 'cluster', '--lake', '/user/me'], {
      env: { LOGLAB_HDFS_URL: 'http://127.0.0.1:9' },
    });
    expect(run.stderr).toMatch(
      /^loglab lake: WebHDFS at http:\/\/127\.0\.0\.1:9\/webhdfs\/v1 did not answer/,
    );
  });

  it('refuses a path that leaves the lake through a symbolic link', async () => {
    const lake = join(dir, 'linked');
    mkdirSync(join(lake, 'loglab'), { recursive: true });
    symlinkSync(dir, join(lake, 'loglab/out'));
    const run = await runLoglab(['lake', 'ls', '--lake', lake, '/loglab/out']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'loglab lake: lake path /loglab/out leads out of the lake through a symbolic link\n',
    );
  });

  it('says when there is no lake directory, and makes none', async () => {
    const none = join(dir, 'none');
    const run = await runLoglab(['lake', 'du', '--lake', none]);
    expect([run.code, run.stderr]).toEqual([
      2,
      `loglab lake: no lake directory ${none} (loglab archive makes one)\n`,
    ]);
    expect(readdirSync(dir)).not.toContain('none');
    const file = join(dir, 'a-log-not-a-lake.log');
    writeFileSync(file, 'x\n');
    expect(await runLoglab(['lake', 'ls', '--lake', file])).toEqual({
      code: 2,
      stdout: '',
      stderr: `loglab lake: ${file} is a file, not a lake directory (--lake names the folder loglab archive writes)\n`,
    });
  });

  it('needs a path for cat, and a known subcommand', async () => {
    const cat = await runLoglab(['lake', 'cat', '--lake', small]);
    expect([cat.code, cat.stderr]).toEqual([2, "loglab lake: missing required argument 'path'\n"]);
    const help = await runLoglab(['lake', 'ls', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('loglab lake du --engine cluster');
  });
});
