/**
 * `loglab mapreduce list|run` end to end: the default input is the local lake `loglab archive`
 * made, rows print as tables or as one JSON object, and every failure (a job that throws, an
 * engine not there yet, no lake, a bad flag) is one line on stderr with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_NAMES } from '../../src/batch/jobs/index';
import { svgToPng } from '../../src/viz/render';
import { SMALL_LOG } from '../batch/fixtures/small-log';
import { BIN, runLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-mr-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'small.log');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const THROWS = fileURLToPath(new URL('../batch/fixtures/throwing-job.ts', import.meta.url));

/** `loglab ARGS` as a process whose working directory is `cwd` (for the default out/lake). */
function spawnIn(cwd: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' },
  });
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  writeFileSync(file, `${SMALL_LOG}\n`);
});

describe('loglab mapreduce', () => {
  it('lists the jobs, one a line, in the order run all runs them', async () => {
    const r = await runLoglab(['mapreduce', 'list']);
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split(' ')[0]),
    ).toEqual(JOB_NAMES);
  });

  it('prints a job as a seed-style table and its counters on stderr', async () => {
    const r = await runLoglab(['mapreduce', 'run', 'errors', '--input', file, '--workers', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'errors: Error analysis: URL, status and count of 4xx/5xx answers (top 10)',
        '  url       status  count',
        '  /missing     404      2',
        '  /b           500      1',
        '  /b?y=2       500      1',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toMatch(
      /^loglab mapreduce: 1 job over 11 records \(1 rejected\) from 1 file \(\d+ B, 1 split\) in [\d.]+ s; map output 4 records, shuffled \d+ B, spilled 0 B\n$/,
    );
  });

  it('tells on stderr of each entry of an input folder it does not read: a broken link, a FIFO', async () => {
    const logs = join(dir, 'with-gaps');
    mkdirSync(logs);
    writeFileSync(join(logs, 'a.log'), `${SMALL_LOG}\n`);
    symlinkSync('rotated-away.log', join(logs, 'current.log'));
    expect(spawnSync('mkfifo', [join(logs, 'pipe')]).status).toBe(0);
    const r = await runLoglab(['mapreduce', 'run', 'errors', '--input', logs, '--workers', '1']);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      `loglab mapreduce: not read: ${join(logs, 'current.log')}: a link to nothing readable (no such file)`,
      `loglab mapreduce: not read: ${join(logs, 'pipe')}: not a regular file or directory (name it on its own to read a FIFO)`,
    ]);
    expect(lines[2]).toMatch(
      /^loglab mapreduce: 1 job over 11 records \(1 rejected\) from 1 file /,
    );
  });

  it('prints control characters from log lines as \\xHH, never to the terminal', async () => {
    const hostile = join(dir, 'hostile.log');
    // Apache writes ESC and BEL as \x1b and \x07; the parser decodes them back.
    writeFileSync(
      hostile,
      '10.0.0.9 - - [05/Dec/2026:10:00:00 +0000] "GET /a\\x1b]0;pwned\\x07\\x1b[2J HTTP/1.1" 404 10 "-" "UA"\n',
    );
    const r = await runLoglab(['mapreduce', 'run', 'errors', '--input', hostile, '--workers', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  /a\\x1b]0;pwned\\x07\\x1b[2J     404      1\n');
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).not.toContain('\x07');
  });

  it('writes control characters from log lines as \\xHH in --out SVGs, which stay XML', async () => {
    const hostile = join(dir, 'hostile-svg.log');
    writeFileSync(
      hostile,
      '10.0.0.9 - - [05/Dec/2026:10:00:00 +0000] "GET /a\\x1b[31m\\x07 HTTP/1.1" 404 10 "-" "UA"\n',
    );
    const out = join(dir, 'hostile-out');
    const r = await runLoglab(['mapreduce', 'run', 'errors', '--input', hostile, '--out', out]);
    expect(r.code).toBe(0);
    const svg = readFileSync(join(out, 'errors.svg'), 'utf8');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(svg).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    expect(svg).toContain('>404 /a\\x1b[31m\\x07</text>');
    // resvg parses the SVG as XML: a raw ESC is "a non-XML character" there.
    expect(svgToPng(svg).length).toBeGreaterThan(1000);
  });

  it('reads the local lake by default and prints --json keyed by job name', () => {
    const cwd = join(dir, 'project');
    const archived = spawnIn(dir, ['archive', '--lake', join(cwd, 'out', 'lake'), file]);
    expect(archived.code).toBe(0);
    const r = spawnIn(cwd, ['mapreduce', 'run', 'all', '--json', '--out', 'results']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(JOB_NAMES);
    for (const name of JOB_NAMES) expect(Object.keys(json[name])).toEqual(['rows']);
    expect(json.errors.rows).toEqual([
      { url: '/missing', status: 404, count: 2 },
      { url: '/b', status: 500, count: 1 },
      { url: '/b?y=2', status: 500, count: 1 },
    ]);
    // The line that does not parse went to the dead letters, not into the raw files.
    expect(r.stderr).toMatch(/^loglab mapreduce: 9 jobs over 11 records \(0 rejected\)/);
    const saved = JSON.parse(readFileSync(join(cwd, 'results', 'top-urls.json'), 'utf8'));
    expect(saved.rows).toEqual(json['top-urls'].rows);
    expect(saved.counters.mapOutputRecords).toBe(11);
    // Each job's chart beside its JSON, drawn from the same rows.
    expect(readdirSync(join(cwd, 'results')).sort()).toEqual(
      JOB_NAMES.flatMap((n) => [`${n}.json`, `${n}.svg`]).sort(),
    );
    const svg = readFileSync(join(cwd, 'results', 'errors.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('>Errors by URL and status</text>');
    expect(svg).toContain('>404 /missing</text>');
    expect(readFileSync(join(cwd, 'results', 'peak-hours.svg'), 'utf8')).toContain(
      '>busiest hour 10:00 UTC with 5 of 11 requests</text>',
    );
  });

  it('reads the raw files of the lake --lake names, and the same rows as --input on them', async () => {
    const lake = join(dir, 'lake-elsewhere');
    expect(spawnIn(dir, ['archive', '--lake', lake, file]).code).toBe(0);
    const fromLake = await runLoglab(['mapreduce', 'run', 'errors', '--json', '--lake', lake]);
    expect(fromLake.code, fromLake.stderr).toBe(0);
    expect(JSON.parse(fromLake.stdout).errors.rows).toEqual([
      { url: '/missing', status: 404, count: 2 },
      { url: '/b', status: 500, count: 1 },
      { url: '/b?y=2', status: 500, count: 1 },
    ]);
    const raw = join(lake, 'loglab', 'raw');
    const fromInput = await runLoglab(['mapreduce', 'run', 'errors', '--json', '--input', raw]);
    expect(fromLake.stdout).toBe(fromInput.stdout);
  });

  it('runs a job module a user wrote outside the project', () => {
    // A .ts file with no package.json beside it is CommonJS to Node: the CLI failed to load it
    // ("Cannot require() ES Module … in a cycle") unless it was named .mts.
    const mine = mkdtempSync(join(tmpdir(), 'loglab-my-job-'));
    try {
      writeFileSync(
        join(mine, 'statuses.ts'),
        [
          'export default {',
          "  name: 'statuses',",
          "  description: 'requests per status',",
          "  columns: ['status', 'count'],",
          '  map(r: { status: number }, emit: (k: string, v: string) => void) {',
          "    emit(String(r.status), '1');",
          '  },',
          '  reduce(k: string, vs: readonly string[], emit: (k: string, v: string) => void) {',
          '    emit(k, JSON.stringify({ status: Number(k), count: vs.length }));',
          '  },',
          '};',
          '',
        ].join('\n'),
      );
      const r = spawnIn(ROOT, [
        ...['mapreduce', 'run', join(mine, 'statuses.ts')],
        ...['--input', file, '--json', '--workers', '2'],
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).statuses.rows).toEqual([
        { status: 200, count: 6 },
        { status: 304, count: 1 },
        { status: 404, count: 2 },
        { status: 500, count: 2 },
      ]);
    } finally {
      rmSync(mine, { recursive: true, force: true });
    }
  });

  it('runs jobs named with commas in one pass, in the order given', async () => {
    const r = await runLoglab(['mapreduce', 'run', 'top-urls,errors', '--input', file, '--json']);
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['top-urls', 'errors']);
    expect(r.stderr).toMatch(/^loglab mapreduce: 2 jobs over 11 records/);
  });

  it('runs a job module, and a mapper that throws is one line and exit 2', async () => {
    const r = await runLoglab(['mapreduce', 'run', THROWS, '--input', file, '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `loglab mapreduce: job throws failed in map on ${file}: mapper gave up on record 3\n`,
    );
  });

  it('runs a job module whose job is its named exports', async () => {
    const named = join(dir, 'named-job.ts');
    writeFileSync(
      named,
      [
        "export const name = 'hits';",
        "export const description = 'requests';",
        "export const columns = ['count'];",
        "export function map(_r: unknown, emit: (k: string, v: string) => void) { emit('all', '1'); }",
        'export function reduce(_k: string, vs: readonly string[], emit: (k: string, v: string) => void) {',
        "  emit('all', JSON.stringify({ count: vs.length }));",
        '}',
        '',
      ].join('\n'),
    );
    const r = await runLoglab(['mapreduce', 'run', named, '--input', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).hits.rows).toEqual([{ count: 11 }]);
  });

  it('says what a job module must export when it exports none', async () => {
    const none = join(dir, 'no-job.ts');
    writeFileSync(
      none,
      'export function partitionFor(key: string): number {\n  return key.length;\n}\n',
    );
    const r = await runLoglab(['mapreduce', 'run', none, '--input', file]);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `loglab mapreduce: ${none} does not export a job as its default: an object with a name, a map and a reduce function (or a function that returns one)\n`,
    });
  });

  it('names the file and the position of a syntax error in a job module, exit 2', () => {
    const bad = join(dir, 'bad-job.ts');
    writeFileSync(
      bad,
      'export default {\n  name: "bad",\n  map(r, emit) { emit(r.path 1); },\n  reduce() {},\n};\n',
    );
    // A process of its own: the failure came from Node's loader under tsx, as a user runs it.
    const r = spawnIn(dir, ['mapreduce', 'run', bad, '--input', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `loglab mapreduce: syntax error in job module ${bad}:3:30: Expected ")" but found "1"\n`,
    );
  });

  it('says in one line why a job module that throws as it loads cannot be used', () => {
    const throwing = join(dir, 'throws-on-load.mjs');
    writeFileSync(throwing, "throw new Error('no config here');\n");
    const r = spawnIn(dir, ['mapreduce', 'run', throwing, '--input', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`loglab mapreduce: cannot load job module ${throwing}: no config here\n`);
  });

  it('says in one line which ResourceManager did not answer and how ours starts', async () => {
    // Port 9: nothing listens there. Nothing is uploaded: YARN is asked first.
    const r = await runLoglab(['mapreduce', 'run', 'all', '--engine', 'yarn', '--input', file], {
      env: { LOGLAB_YARN_RM: '127.0.0.1:9', LOGLAB_HDFS_URL: 'http://127.0.0.1:9' },
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "loglab mapreduce: YARN's ResourceManager at 127.0.0.1:9 (LOGLAB_YARN_RM) did not answer (ECONNREFUSED): `npm run cluster -- up --services kafka,hdfs,yarn` starts ours, or set LOGLAB_YARN_RM or HADOOP_CONF_DIR\n",
    );
  });

  it('takes the ResourceManager from HADOOP_CONF_DIR, and refuses a directory without core-site.xml', async () => {
    const conf = mkdtempSync(join(dir, 'conf-'));
    writeFileSync(
      join(conf, 'core-site.xml'),
      '<configuration><property><name>fs.defaultFS</name><value>hdfs://127.0.0.1:9</value></property></configuration>\n',
    );
    writeFileSync(
      join(conf, 'yarn-site.xml'),
      '<configuration><property><name>yarn.resourcemanager.address</name><value>127.0.0.1:9</value></property></configuration>\n',
    );
    const r = await runLoglab(['mapreduce', 'run', 'errors', '--engine', 'yarn', '--input', file], {
      env: { HADOOP_CONF_DIR: conf },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `loglab mapreduce: YARN's ResourceManager at 127.0.0.1:9 (HADOOP_CONF_DIR ${conf}) did not answer (ECONNREFUSED): \`npm run cluster -- up --services kafka,hdfs,yarn\` starts ours, or set LOGLAB_YARN_RM or HADOOP_CONF_DIR\n`,
    );
    const none = await runLoglab(['mapreduce', 'run', 'errors', '--engine', 'yarn'], {
      env: { HADOOP_CONF_DIR: dir },
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `loglab mapreduce: HADOOP_CONF_DIR ${dir} holds no core-site.xml: is it a Hadoop configuration?\n`,
    );
  });

  it('says in one line that the hadoop engine cannot reach HDFS', async () => {
    const r = await runLoglab(['mapreduce', 'run', 'all', '--engine', 'hadoop', '--input', file], {
      env: { LOGLAB_HDFS_URL: 'http://127.0.0.1:9' },
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'loglab mapreduce: WebHDFS at http://127.0.0.1:9/webhdfs/v1 did not answer (ECONNREFUSED)\n',
    );
  });

  it('refuses a missing lake, an unknown job and bad counts in one line each', async () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const noLake = spawnIn(empty, ['mapreduce', 'run', 'all']);
    expect(noLake.code).toBe(2);
    expect(noLake.stderr).toBe(
      'loglab mapreduce: no lake directory out/lake (loglab archive makes one), or give --input\n',
    );
    expect(existsSync(join(empty, 'out'))).toBe(false);
    const cases: [string[], string][] = [
      [['run', 'nope', '--input', file], 'no job named "nope"; there are: all, errors, '],
      [['run', 'all', '--workers', '0', '--input', file], '--workers must be a whole number ≥ 1'],
      [['run', 'all', '--reducers', 'x', '--input', file], '--reducers must be a whole number ≥ 1'],
      [
        ['run', 'all', '--input', join(dir, 'absent.log')],
        `cannot read ${join(dir, 'absent.log')}`,
      ],
      [
        ['run', 'all', '--input', file, '--lake', dir],
        '--input and --lake both name the input: give one of them',
      ],
      [
        ['run', 'all', '--lake', join(dir, 'no-such-lake')],
        `no lake directory ${join(dir, 'no-such-lake')} (loglab archive makes one), or give --input`,
      ],
      [
        ['run', 'all', '--engine', 'hadoop', '--lake', 'user/me'],
        '--lake names a folder on HDFS: an absolute path (letters, digits and . _ = + - between slashes), got "user/me"',
      ],
    ];
    for (const [args, start] of cases) {
      const r = await runLoglab(['mapreduce', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.startsWith(`loglab mapreduce: ${start}`), r.stderr).toBe(true);
      expect(r.stderr.split('\n')).toHaveLength(2);
    }
  });

  it('has --help with examples', async () => {
    const r = await runLoglab(['mapreduce', 'run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('loglab mapreduce run all --workers 2 --reducers 4 --json');
  });
});
