/**
 * `loglab report`: a log file through summary, detection and the nine batch jobs into one HTML
 * page and its run record; without a FILE, the demo's record; bad input in one line, exit 2.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_NAMES } from '../../src/batch/jobs/index';
import { parseRunRecord, REPORT_CHART_IDS } from '../../src/report/index';
import { writeHostileDay } from '../report/hostile-day';
import { BIN, type LoglabRun, runLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const day = writeHostileDay(dir, 5_000, 40);
const page = join(dir, 'site', 'report.html');
const recordFile = join(dir, 'site', 'report.json');
const pngDir = join(dir, 'slides');

/** `loglab ARGS` as a process started in `cwd` (the demo's record is found from there). */
function spawnIn(cwd: string, args: string[]): LoglabRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('loglab report FILE', () => {
  let run: LoglabRun;
  beforeAll(async () => {
    run = await runLoglab([
      'report',
      day.log,
      '--truth',
      day.truth,
      '--out',
      page,
      '--png',
      pngDir,
    ]);
  }, 60_000);

  it('says what each stage did and what it wrote, and nothing on stdout', () => {
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/ +(\d|\().*/, ''))).toEqual([
      'loglab report: summary',
      'loglab report: detection',
      'loglab report: batch',
      `loglab report: wrote ${page}`,
    ]);
    expect(lines[0]).toMatch(
      /^loglab report: summary {3}5,080 lines in \d+\.\d\d s \([\d,]+ lines\/s; /,
    );
    expect(lines[3]).toMatch(
      new RegExp(
        `^loglab report: wrote ${page} \\(\\d+ KB, 6 charts\\), the run record ${recordFile}, 6 charts as PNG in ${pngDir}$`,
      ),
    );
  });

  it('writes the run record beside the page, every stage over every line', () => {
    const record = parseRunRecord(readFileSync(recordFile, 'utf8'), recordFile);
    expect(record.source).toEqual({ name: day.log, engine: 'embedded', seed: null });
    expect(record.summary.read).toBe(day.lines);
    expect(record.stages.map((s) => [s.name, s.lines])).toEqual([
      ['summary', day.lines],
      ['detection', day.lines],
      ['batch', day.lines],
    ]);
    expect(record.batch?.records).toBe(record.summary.parsed);
    expect(record.batch?.jobs.map((j) => j.name)).toEqual(JOB_NAMES);
    // The summary and the batch jobs count the same errors.
    const errors = record.batch?.jobs.find((j) => j.name === 'errors')?.rows;
    expect(errors?.slice(0, 3)).toEqual(
      record.summary.topErrors
        .slice(0, 3)
        .map((e) => ({ url: e.url, status: e.status, count: e.count })),
    );
    expect(record.truth?.map((i) => i.kind).sort()).toEqual([
      'ddos',
      'error-burst',
      'ip-flood',
      'outage',
      'scanner',
      'slow-page',
      'slow-scan',
      'surge',
    ]);
    expect(record.evaluation?.kinds.map((k) => k.incidentKind)).toEqual([
      'error-burst',
      'ip-flood',
      'scanner',
      'surge',
      'outage',
      'ddos',
      'slow-scan',
      'slow-page',
    ]);
    expect(record.detection.alerts.length).toBeGreaterThan(0);
  });

  it('writes the page and each chart as a PNG', () => {
    const html = readFileSync(page, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(readdirSync(pngDir).sort()).toEqual([
      'alert-timeline.png',
      'detection-quality.png',
      'requests-per-hour.png',
      'status-mix.png',
      'throughput.png',
      'top-urls.png',
    ]);
    // Every chart a report can have, so --png checks each name it may write.
    expect(REPORT_CHART_IDS.map((id) => `${id}.png`).sort()).toEqual(readdirSync(pngDir).sort());
    const png = readFileSync(join(pngDir, 'top-urls.png'));
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  });
});

describe('loglab report without a FILE', () => {
  it('says to run the demo or give a FILE when there is no record', () => {
    const cwd = mkdtempSync(join(dir, 'empty-'));
    const r = spawnIn(cwd, ['report']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'loglab report: no demo run record out/demo/run.json: run `npm run demo` first, or give a log FILE\n',
    });
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it("draws the demo's record", () => {
    const cwd = mkdtempSync(join(dir, 'demo-'));
    mkdirSync(join(cwd, 'out', 'demo'), { recursive: true });
    copyFileSync(recordFile, join(cwd, 'out', 'demo', 'run.json'));
    const r = spawnIn(cwd, ['report']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^loglab report: wrote out\/report\.html \(\d+ KB, 6 charts\) from out\/demo\/run\.json\n$/,
    );
    // The same record draws the same page.
    expect(readFileSync(join(cwd, 'out', 'report.html'), 'utf8')).toBe(readFileSync(page, 'utf8'));
  }, 30_000);

  it('refuses a record of another version in one line', () => {
    const cwd = mkdtempSync(join(dir, 'v2-'));
    mkdirSync(join(cwd, 'out', 'demo'), { recursive: true });
    const doc = JSON.parse(readFileSync(recordFile, 'utf8'));
    writeFileSync(join(cwd, 'out', 'demo', 'run.json'), JSON.stringify({ ...doc, version: 2 }));
    expect(spawnIn(cwd, ['report']).stderr).toBe(
      'loglab report: out/demo/run.json is a run record of version 2; this loglab reads version 1\n',
    );
  });

  it('refuses a record missing a field the page reads, naming it', () => {
    const cwd = mkdtempSync(join(dir, 'broken-'));
    mkdirSync(join(cwd, 'out', 'demo'), { recursive: true });
    const doc = JSON.parse(readFileSync(recordFile, 'utf8'));
    delete doc.summary.statusCodes;
    writeFileSync(join(cwd, 'out', 'demo', 'run.json'), JSON.stringify(doc));
    expect(spawnIn(cwd, ['report'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'loglab report: out/demo/run.json is a broken run record: summary.statusCodes is missing or of the wrong type\n',
    });
  });
});

describe('loglab report --png DIR', () => {
  it('writes over the PNGs an earlier report wrote there', async () => {
    const again = join(dir, 'again.html');
    const r = await runLoglab(['report', '--run', recordFile, '--out', again, '--png', pngDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/, 6 charts as PNG in /);
    expect(readdirSync(pngDir)).toHaveLength(6);
  }, 30_000);

  it('refuses a folder holding a file of a chart’s name that it did not write, and writes nothing', async () => {
    const slides = join(dir, 'my-slides');
    mkdirSync(slides);
    copyFileSync(join(pngDir, 'status-mix.png'), join(slides, 'status-mix.png'));
    writeFileSync(join(slides, 'top-urls.png'), 'my own slide');
    const out = join(dir, 'not-written.html');
    expect(await runLoglab(['report', '--run', recordFile, '--out', out, '--png', slides])).toEqual(
      {
        code: 2,
        stdout: '',
        stderr: `loglab report: --png ${slides}: ${join(slides, 'top-urls.png')} is not a chart loglab report wrote; move it away or pick another folder\n`,
      },
    );
    expect(readFileSync(join(slides, 'top-urls.png'), 'utf8')).toBe('my own slide');
    expect(readdirSync(slides).sort()).toEqual(['status-mix.png', 'top-urls.png']);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses before it runs the stages of a log FILE', async () => {
    const slides = join(dir, 'a-png-by-hand');
    mkdirSync(slides);
    writeFileSync(
      join(slides, 'throughput.png'),
      readFileSync(join(pngDir, 'throughput.png')).subarray(0, 60),
    );
    const r = await runLoglab(['report', day.log, '--out', join(dir, 'x.html'), '--png', slides]);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `loglab report: --png ${slides}: ${join(slides, 'throughput.png')} is not a chart loglab report wrote; move it away or pick another folder\n`,
    });
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });
});

describe('loglab report: bad input', () => {
  it.each([
    [
      ['report', '--truth', 't.json'],
      'loglab report: --truth goes with a log FILE; a demo run record holds its own truth\n',
    ],
    [['report', 'no-such.log'], 'loglab report: cannot read no-such.log: no such file\n'],
    [['report', dir], `loglab report: cannot read ${dir}: it is a directory\n`],
    [
      ['report', day.log, '--truth', join(dir, 'none.json')],
      `loglab report: cannot read the truth ${join(dir, 'none.json')}: no such file\n`,
    ],
    [
      ['report', day.log, '--top', '0'],
      'loglab report: --top must be a whole number ≥ 1, got "0"\n',
    ],
  ])('%j', async (args, stderr) => {
    expect(await runLoglab(args)).toEqual({ code: 2, stdout: '', stderr });
  });

  it('refuses an --out, or its .json beside it, that is the log itself', async () => {
    const log = join(dir, 'keep.json');
    writeFileSync(log, readFileSync(day.log));
    const before = readFileSync(log, 'utf8');
    for (const [out, target] of [
      [log, log],
      [join(dir, '.', 'keep.html'), log],
    ]) {
      expect(await runLoglab(['report', log, '--out', out])).toEqual({
        code: 2,
        stdout: '',
        stderr: `loglab report: --out ${out} would write ${target} over the log ${log}\n`,
      });
    }
    expect(readFileSync(log, 'utf8')).toBe(before);
  });

  it('refuses a folder for --out and a file for --png before the stages run, not after', async () => {
    const folder = join(dir, 'a-folder.html');
    mkdirSync(folder);
    const afile = join(dir, 'slides-file');
    writeFileSync(afile, 'not a folder');
    expect(await runLoglab(['report', day.log, '--out', folder])).toEqual({
      code: 2,
      stdout: '',
      stderr: `loglab report: --out ${folder} is a directory; name the HTML file to write\n`,
    });
    // The record beside the page (.json for .html) is checked too.
    const page = join(dir, 'beside.html');
    mkdirSync(join(dir, 'beside.json'));
    expect((await runLoglab(['report', day.log, '--out', page])).stderr).toBe(
      `loglab report: --out ${page}: its run record goes beside it as ${join(dir, 'beside.json')}, which is a directory\n`,
    );
    const out = join(dir, 'with-png.html');
    expect(await runLoglab(['report', day.log, '--out', out, '--png', afile])).toEqual({
      code: 2,
      stdout: '',
      stderr: `loglab report: --png ${afile}: a file is in the way of a folder for the charts\n`,
    });
    // A file where a parent folder of --png should be.
    const under = join(afile, 'charts');
    expect((await runLoglab(['report', day.log, '--out', out, '--png', under])).stderr).toBe(
      `loglab report: --png ${under}: a file is in the way of a folder for the charts\n`,
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'with-png.json'))).toBe(false);
  });

  it('--help shows examples', async () => {
    const r = await runLoglab(['report', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('loglab report day.log --truth truth.json --png slides/');
  });
});
