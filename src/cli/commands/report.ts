/**
 * `loglab report [FILE]`: the end-to-end report as one self-contained HTML file. With a log FILE
 * it runs the summary, detection and the nine batch jobs over it on the embedded engine
 * (pipeline/report-file-run.ts) and writes the run record beside the page; without one it draws
 * the last demo run's record (out/demo/run.json, or the one `--run` names). `--png DIR` also
 * writes each chart as a PNG for slides; it writes over a PNG of DIR only when an earlier report
 * wrote it (report/png-mark.ts), never over a file of someone else's.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Command, Option } from 'commander';
import { badFlag, badInput, isLoglabError } from '../../errors';
import { cliIo } from '../context';
import { parseCount } from '../flags';
import { handleInterrupts, type Interrupts } from '../streaming';

type Io = typeof import('../io');

interface ReportFlags {
  run?: string;
  truth?: string;
  out: string;
  png?: string;
  format: string;
  top: string;
}

const EXAMPLES = `
Examples:
  loglab generate --lines 1000000 --incidents all --truth truth.json > day.log
  loglab report day.log --truth truth.json              out/report.html and out/report.json
  loglab report day.log --truth truth.json --png slides/  each chart as slides/<chart>.png too
  npm run demo && loglab report                         the last demo run (out/demo/run.json)
  loglab report --run out/big/run.json                  the run of \`npm run demo -- --out out/big\`

With a FILE the summary, detection (5-minute windows sliding every minute, event time) and the
nine MapReduce jobs of \`loglab mapreduce list\` run over it one after another on the embedded
engine, each stage's lines, seconds and lines per second shown on stderr; --truth (the file
\`loglab generate --truth\` writes) scores the alerts per incident kind. The run record, a
versioned JSON document of everything the page shows, is written beside the page (--out with
.json for .html), so the page can be drawn again. Without a FILE the record of the last
\`npm run demo\` is read (out/demo/run.json), or the record --run names.

--png writes <chart>.png for each chart. It writes over a PNG there only when loglab report
wrote it (its PNGs carry a mark), so drawing a report again into the same folder works; any
other file of the same name stops the command before it writes anything.

The page is one file with its charts as inline SVG and its style inline: no script, no font,
nothing fetched, so it opens offline. Every string from a log line is escaped.
`;

/** The run record's path beside the page: report.html → report.json. */
export function recordPathFor(out: string): string {
  return out.endsWith('.html') ? `${out.slice(0, -'.html'.length)}.json` : `${out}.json`;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'The end-to-end report as one self-contained HTML file: seed-style tables, alerts against the ground truth, batch jobs, throughput per stage.',
    )
    .argument('[file]', "access log to run every stage on (default: the last demo run's record)")
    .option('--run <record>', "a demo's run record to draw (default out/demo/run.json)")
    .option('--truth <file>', 'ground truth JSON (loglab generate --truth) to score the alerts')
    .option('--out <file>', 'the HTML file to write', 'out/report.html')
    .option('--png <dir>', 'also write each chart as <dir>/<chart>.png')
    .addOption(
      new Option('--format <format>', 'log format of FILE; auto decides per line')
        .choices(['auto', 'combined', 'combined-time', 'common', 'json'])
        .default('auto'),
    )
    .option('--top <n>', 'rows in each top list', '10')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string | undefined, flags: ReportFlags) => {
      await runReport(file, flags);
    });
}

/**
 * Stops before anything is written when DIR holds a file named like one of the report's PNGs
 * that loglab report did not write: a PNG of its own it writes over, anything else it keeps.
 */
function refuseForeignPngs(dir: string, report: typeof import('../../report/index')): void {
  for (const id of report.REPORT_CHART_IDS) {
    const path = join(dir, `${id}.png`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      bytes = Buffer.alloc(0);
    }
    if (!report.isMarkedPng(bytes)) {
      throw badFlag(
        `--png ${dir}: ${path} is not a chart loglab report wrote; move it away or pick another folder`,
      );
    }
  }
}

/**
 * Refuses, before a FILE's run of a minute or more, outputs that could only fail at its end: a
 * directory where the page (or, for a FILE, its run record) goes, a file where the PNG folder goes.
 */
function refuseUnwritable(flags: ReportFlags, withRecord: boolean): void {
  /** True for a directory, false for anything else there, null for nothing (or no parent yet). */
  const isDir = (path: string): boolean | null => {
    try {
      return statSync(path).isDirectory();
    } catch (err) {
      // A file where a parent folder should be: nothing can be written under it.
      return (err as NodeJS.ErrnoException)?.code === 'ENOTDIR' ? false : null;
    }
  };
  if (isDir(flags.out) === true) {
    throw badFlag(`--out ${flags.out} is a directory; name the HTML file to write`);
  }
  const record = recordPathFor(flags.out);
  if (withRecord && isDir(record) === true) {
    throw badFlag(
      `--out ${flags.out}: its run record goes beside it as ${record}, which is a directory`,
    );
  }
  if (flags.png !== undefined && isDir(flags.png) === false) {
    throw badFlag(`--png ${flags.png}: a file is in the way of a folder for the charts`);
  }
}

/** Whether `path` names the file whose stat is `file` (the same inode: links and `./` alike). */
function isFile(path: string, file: { dev: number; ino: number }): boolean {
  try {
    const st = statSync(path);
    return st.dev === file.dev && st.ino === file.ino;
  } catch {
    return false;
  }
}

function readText(path: string, what: string, io: Io): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw badInput(`cannot read the ${what} ${path}: ${io.describeFsError(err)}`);
  }
}

function write(path: string, data: string | Buffer, io: Io): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  } catch (err) {
    throw badInput(`cannot write ${path}: ${io.describeFsError(err)}`);
  }
}

async function runReport(file: string | undefined, flags: ReportFlags): Promise<void> {
  const top = parseCount(flags.top, '--top', 1);
  if (flags.out.trim() === '') throw badFlag('--out must not be empty');
  if (flags.png !== undefined && flags.png.trim() === '') throw badFlag('--png must not be empty');
  if (flags.run !== undefined && flags.run.trim() === '') throw badFlag('--run must not be empty');
  if (flags.run !== undefined && file !== undefined) {
    throw badFlag('give a log FILE or --run with a run record, not both');
  }
  const [io, report, { formatCount }] = await Promise.all([
    import('../io') as Promise<Io>,
    import('../../report/index'),
    import('../../viz/theme'),
  ]);
  // Before a FILE's run of a minute or more, not after it.
  refuseUnwritable(flags, file !== undefined);
  if (flags.png !== undefined) refuseForeignPngs(flags.png, report);
  const say = (text: string) => cliIo().stderr.write(`loglab report: ${text}\n`);
  let record: import('../../report/index').RunRecord;
  let recordPath: string | null = null;
  const demoRecord = flags.run ?? report.DEMO_RUN_RECORD;
  // A FILE's run ends with 130 on Ctrl-C until its page is written, not only in its batch
  // stage: a Ctrl-C that came as the stage ended was dropped with the stage's handler.
  let interrupts: Interrupts | null = null;
  let drawing: ReturnType<Io['createProgress']> | null = null;
  if (file === undefined) {
    if (flags.truth !== undefined) {
      throw badFlag('--truth goes with a log FILE; a demo run record holds its own truth');
    }
    const path = demoRecord;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if (flags.run !== undefined)
        throw badInput(`cannot read ${path}: ${io.describeFsError(err)}`);
      if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') {
        throw badInput(
          `no demo run record ${path}: run \`npm run demo\` first, or give a log FILE`,
        );
      }
      throw badInput(`cannot read ${path}: ${io.describeFsError(err)}`);
    }
    record = report.parseRunRecord(text, path);
  } else {
    let size: number;
    try {
      const st = statSync(file);
      if (st.isDirectory()) throw badInput(`cannot read ${file}: it is a directory`);
      if (!st.isFile()) throw badInput(`cannot read ${file}: not a regular file`);
      size = st.size;
      // The page and the record are written over whatever is there: never over the log itself.
      for (const target of [flags.out, recordPathFor(flags.out)]) {
        if (isFile(target, st)) {
          throw badFlag(`--out ${flags.out} would write ${target} over the log ${file}`);
        }
      }
    } catch (err) {
      if (isLoglabError(err)) throw err;
      throw badInput(`cannot read ${file}: ${io.describeFsError(err)}`);
    }
    const { parseTruth } = await import('../../realtime/evaluate-input');
    const truth =
      flags.truth === undefined
        ? null
        : parseTruth(readText(flags.truth, 'truth', io), flags.truth);
    const { runFileForReport } = await import('../../pipeline/report-file-run');
    let bar: ReturnType<Io['createProgress']> | null = null;
    let unit = 1;
    // The batch stage spills into a folder of its own under this one; Ctrl-C ends the process
    // without unwinding, so the folder is removed here before it exits.
    const tmpDir = mkdtempSync(join(tmpdir(), 'loglab-report-'));
    interrupts = handleInterrupts(1);
    interrupts.stages[0].addEventListener('abort', () => {
      (bar as ReturnType<Io['createProgress']> | null)?.stop();
      (drawing as ReturnType<Io['createProgress']> | null)?.stop();
      const left = io.removeWhileWritten(tmpDir);
      if (left !== null) say(`cannot remove ${tmpDir}: ${left}`);
      say('interrupted');
      process.exit(130);
    });
    try {
      record = await runFileForReport(file, size, {
        format: flags.format as 'auto',
        top,
        truth,
        tmpDir,
        progress: {
          start(stage, total) {
            // Bytes as MB on the bar: a 100 MB day moves it a step per megabyte.
            unit = 1e6;
            bar = io.createProgress(Math.max(1, Math.ceil(total / unit)), `MB · ${stage}`);
          },
          update(done) {
            bar?.update(Math.round(done / unit));
          },
          done(stage) {
            (bar as ReturnType<Io['createProgress']> | null)?.stop();
            bar = null;
            const rate = stage.seconds > 0 ? stage.lines / stage.seconds : 0;
            say(
              `${stage.name.padEnd(9)} ${formatCount(stage.lines)} lines in ${stage.seconds.toFixed(2)} s ` +
                `(${formatCount(rate)} lines/s; ${stage.detail})`,
            );
          },
        },
      });
    } finally {
      // A stage that throws leaves its bar drawn: clear it so the error line stands alone.
      (bar as ReturnType<Io['createProgress']> | null)?.stop();
      rmSync(tmpDir, { recursive: true, force: true });
    }
    recordPath = recordPathFor(flags.out);
    write(recordPath, report.formatRunRecord(record), io);
  }

  let built: Awaited<ReturnType<typeof report.buildReport>>;
  try {
    built = await report.buildReport(record, (done, total) => {
      drawing ??= io.createProgress(total, 'charts drawn');
      drawing.update(done);
    });
  } finally {
    (drawing as ReturnType<Io['createProgress']> | null)?.stop();
  }
  write(flags.out, built.html, io);
  const kb = Math.max(1, Math.round(Buffer.byteLength(built.html) / 1000));
  let pngs = '';
  if (flags.png !== undefined) {
    for (const chart of built.charts) {
      write(join(flags.png, `${chart.id}.png`), report.chartPng(chart), io);
    }
    pngs = `, ${built.charts.length} charts as PNG in ${flags.png}`;
  }
  say(
    `wrote ${flags.out} (${kb} KB, ${built.charts.length} charts)` +
      (recordPath === null ? ` from ${demoRecord}` : `, the run record ${recordPath}`) +
      pngs,
  );
  (interrupts as Interrupts | null)?.dispose();
}
