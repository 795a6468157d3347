/**
 * Grade labs.
 *   npm run lab -- 01              grade the learner's labs/01-parse/exercise.ts: a short summary
 *   npm run lab -- 01 --verbose    the summary, then vitest's full report
 *   npm run lab -- 01 --solution   grade the reference solution instead
 *   npm run labs:check             prove that every untouched exercise.ts fails its tests
 *
 * An untouched exercise fails every test at once, and vitest's report of that is hundreds of
 * lines; a student first needs how many fail, the first message and the file to edit
 * (lab-summary.ts). lab-reporter.ts hands the run over as JSON, so the summary can come first.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLabSummary, type LabOutcome } from './lab-summary';

const USAGE =
  'usage: npm run lab -- NN [--solution] [--verbose]\n' +
  '                                       grade labs/NN-*/exercise.ts (or solution.ts): a summary,\n' +
  "                                       then vitest's full report with --verbose\n" +
  '       npm run labs:check               check that every untouched exercise.ts fails its tests\n' +
  '\n' +
  'A run that has not finished in LOGLAB_LAB_TIMEOUT seconds (120) is stopped: a loop in the\n' +
  'graded file that never ends would otherwise hang it.\n';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const FLAGS = new Set(['--solution', '--verbose', '--check-exercises']);
for (const a of args) {
  if (!/^\d+$/.test(a) && !FLAGS.has(a)) {
    process.stderr.write(`lab: unknown argument ${a}\n${USAGE}`);
    process.exit(2);
  }
}
const numbers = args.filter((a) => /^\d+$/.test(a));
if (args.includes('--check-exercises') && numbers.length > 0) {
  process.stderr.write(
    `lab: labs:check checks every lab; grade one with npm run lab -- ${numbers[0]}\n`,
  );
  process.exit(2);
}
if (numbers.length > 1) {
  process.stderr.write(`lab: one lab at a time, got ${numbers.join(' and ')}\n`);
  process.exit(2);
}

const timeoutText = process.env.LOGLAB_LAB_TIMEOUT ?? '120';
const TIMEOUT_S = Number(timeoutText);
/** The longest a timer waits (2^31 − 1 ms, about 24.8 days): past it, Node fires at once. */
const MAX_TIMEOUT_S = (2 ** 31 - 1) / 1000;
if (!(TIMEOUT_S > 0 && TIMEOUT_S <= MAX_TIMEOUT_S)) {
  process.stderr.write(
    `lab: LOGLAB_LAB_TIMEOUT must be a number of seconds from 0 to ${Math.floor(MAX_TIMEOUT_S)}, got "${timeoutText}"\n`,
  );
  process.exit(2);
}

const labs = readdirSync('labs', { withFileTypes: true })
  .filter((d) => d.isDirectory() && /^\d\d-/.test(d.name))
  .map((d) => d.name)
  .sort();

interface LabRun {
  outcome: LabOutcome;
  /** vitest's exit code. */
  status: number;
  /** vitest's own report, when it was asked for. */
  report: string;
}

/**
 * The run of vitest under way: its process group, and its scratch folder. vitest runs in a
 * session of its own (detached, so that a stop reaches its workers), where neither a Ctrl-C on
 * the terminal nor a hang-up reaches it: whatever ends this process ends that group first.
 */
let running: { pid: number; folder: string } | null = null;
function stopRunning(): void {
  if (running === null) return;
  stopGroup(running.pid);
  rmSync(running.folder, { recursive: true, force: true });
  running = null;
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
  ['SIGQUIT', 131],
] as const) {
  process.on(signal, () => {
    stopRunning();
    if (signal === 'SIGINT') process.stderr.write('lab: stopped\n');
    process.exit(code);
  });
}
process.on('exit', stopRunning);

/** Kills vitest and its workers: a worker stuck in a loop does not die with its parent. */
function stopGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/**
 * Run a lab's tests through lab-reporter.ts, and vitest's default reporter too when `full`. A
 * test stuck in a loop (a learner's index that never moves on) never yields to vitest's test
 * timeout, so the whole run has a limit: past it, vitest and its workers are killed.
 */
async function runLab(
  dir: string,
  target: 'exercise' | 'solution',
  full: boolean,
): Promise<LabRun> {
  const folder = mkdtempSync(join(tmpdir(), 'loglab-lab-'));
  const file = join(folder, 'outcome.json');
  const reporters = ['--reporter=./scripts/lab-reporter.ts'];
  if (full) reporters.push('--reporter=default');
  const vitest = join('node_modules', 'vitest', 'vitest.mjs');
  // Its own process group (detached), so that a stop reaches its workers too.
  const child = spawn(process.execPath, [vitest, 'run', join('labs', dir), ...reporters], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: {
      ...process.env,
      LOGLAB_LAB_TARGET: target,
      LOGLAB_LAB_REPORT: file,
      // The report is captured to be printed after the summary: coloured on a terminal only.
      ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : { NO_COLOR: '1', FORCE_COLOR: '0' }),
    },
  });
  running = child.pid === undefined ? null : { pid: child.pid, folder };
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) stopGroup(child.pid);
  }, TIMEOUT_S * 1000);
  const status = await new Promise<number>((resolve) => {
    child.on('close', (code) => resolve(code ?? 1));
    child.on('error', (err) => {
      out += String(err);
      resolve(1);
    });
  });
  clearTimeout(timer);
  // The group may outlive vitest's own exit (a worker stuck in a loop): it goes too.
  if (child.pid !== undefined) stopGroup(child.pid);
  running = null;
  const outcome: LabOutcome = timedOut
    ? {
        tests: [],
        errors: [
          `the tests did not finish in ${TIMEOUT_S} s and were stopped: is there a loop in ${target}.ts that never ends?`,
        ],
      }
    : existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as LabOutcome)
      : { tests: [], errors: [`vitest did not run: ${out.trim()}`] };
  rmSync(folder, { recursive: true, force: true });
  return { outcome, status: timedOut ? 1 : status, report: out };
}

/** Count a lab's results: an exercise "failing" because no test ran proves nothing. */
async function countResults(
  dir: string,
  target: 'exercise' | 'solution',
): Promise<{ passed: number; failed: number }> {
  const { tests, errors } = (await runLab(dir, target, false)).outcome;
  return {
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length + errors.length,
  };
}

/**
 * True when git says the file differs from its committed form. The check proves that the
 * untouched exercises fail: a learner's finished one passing is no fault of its tests.
 */
function editedSinceCommit(path: string): boolean {
  const r = spawnSync('git', ['diff', '--quiet', 'HEAD', '--', path], { stdio: 'ignore' });
  return r.status === 1;
}

if (args.includes('--check-exercises')) {
  let bad = 0;
  for (const dir of labs) {
    const exerciseFile = join('labs', dir, 'exercise.ts');
    if (!existsSync(exerciseFile)) continue;
    const solution = await countResults(dir, 'solution');
    const edited = editedSinceCommit(exerciseFile);
    const exercise = edited ? null : await countResults(dir, 'exercise');
    if (solution.passed === 0 || solution.failed > 0) {
      process.stderr.write(
        `labs/${dir}: solution.ts should pass every test (passed ${solution.passed}, failed ${solution.failed})\n`,
      );
      bad++;
    } else if (exercise === null) {
      process.stdout.write(
        `labs/${dir}: solution.ts passes ${solution.passed} tests; exercise.ts was edited since it was committed, so its untouched form was not checked (a fresh clone checks it)\n`,
      );
    } else if (exercise.failed === 0) {
      process.stderr.write(
        `labs/${dir}: exercise.ts fails no test: its tests cannot fail, or it was solved and committed (labs:check proves untouched exercises fail, as a fresh clone has them)\n`,
      );
      bad++;
    } else {
      process.stdout.write(
        `labs/${dir}: solution.ts passes ${solution.passed} tests; untouched exercise.ts fails ${exercise.failed} of ${exercise.failed + exercise.passed}, as it should\n`,
      );
    }
  }
  process.exit(bad === 0 ? 0 : 1);
}

const wanted = numbers[0];
if (!wanted) {
  process.stderr.write(
    `lab: name a lab number, one of: ${labs.map((l) => l.slice(0, 2)).join(', ')}\n`,
  );
  process.exit(2);
}
const dir = labs.find((l) => l.startsWith(wanted.padStart(2, '0')));
if (!dir) {
  process.stderr.write(`lab: no lab ${wanted}; there are: ${labs.join(', ')}\n`);
  process.exit(2);
}
const target = args.includes('--solution') ? 'solution' : 'exercise';
const verbose = args.includes('--verbose');
const run = await runLab(dir, target, verbose);
const command = `npm run lab -- ${wanted}${target === 'solution' ? ' --solution' : ''}`;
process.stdout.write(
  formatLabSummary(run.outcome, { lab: `labs/${dir}`, file: `${target}.ts`, command, verbose }),
);
if (verbose) process.stdout.write(run.report);
process.exit(run.status);
