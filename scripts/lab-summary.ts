/**
 * What `npm run lab -- NN` says first: a few lines a student can act on before any test report.
 * How many tests fail, the first failure's message and where it was thrown, the file to edit,
 * and which tests were skipped and why. The full report comes only with --verbose.
 *
 * Pure: it formats a `LabOutcome`, which lab-reporter.ts writes while vitest runs the lab.
 */

/** One test of a lab, as the lab reporter saw it. */
export interface LabTest {
  /** Its describe titles and its own, joined by " › ". */
  readonly name: string;
  readonly state: 'passed' | 'failed' | 'skipped';
  /** A failure's first error, "Name: message" (failed only). */
  readonly error?: string;
  /** Where that error was thrown, "labs/01-parse/exercise.ts:32:9", when it was in the lab. */
  readonly at?: string;
  /** Why it was skipped, from `ctx.skip(condition, note)` (skipped only). */
  readonly note?: string;
}

export interface LabOutcome {
  readonly tests: readonly LabTest[];
  /** Errors outside any test: the test file did not load, an unhandled rejection. */
  readonly errors: readonly string[];
}

export interface LabSummaryContext {
  /** The lab's folder, "labs/01-parse". */
  readonly lab: string;
  /** The graded file, "exercise.ts" or "solution.ts". */
  readonly file: string;
  /** The command that grades it again, "npm run lab -- 01". */
  readonly command: string;
  /** Whether the full report follows the summary. */
  readonly verbose: boolean;
}

/** A message's first lines only: an assertion's diff belongs in the full report. */
const MESSAGE_LINES = 4;
const MESSAGE_WIDTH = 160;

function shorten(message: string): string {
  const lines = message.trim().split('\n').slice(0, MESSAGE_LINES);
  return lines
    .map((l) => (l.length > MESSAGE_WIDTH ? `${l.slice(0, MESSAGE_WIDTH - 1)}…` : l))
    .join('\n    ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatLabSummary(outcome: LabOutcome, ctx: LabSummaryContext): string {
  const graded = `${ctx.lab}/${ctx.file}`;
  // Lab tests name the file they graded in their titles; the first line already says it.
  // ("labs/01-parse/exercise.ts: parses", "labs/04-exactly-once/exercise.ts on a local lake: …").
  const tests = outcome.tests.map((t) =>
    t.name.startsWith(`${graded}: `)
      ? { ...t, name: t.name.slice(graded.length + 2) }
      : t.name.startsWith(`${graded} `)
        ? { ...t, name: t.name.slice(graded.length + 1) }
        : t,
  );
  const failed = tests.filter((t) => t.state === 'failed');
  const passed = tests.filter((t) => t.state === 'passed');
  const skipped = tests.filter((t) => t.state === 'skipped');
  const run = passed.length + failed.length;
  const out: string[] = [];

  if (outcome.errors.length > 0 && tests.length === 0) {
    out.push(`Grading ${graded}: the tests could not run.`);
    out.push(`  ${shorten(outcome.errors[0])}`);
  } else if (failed.length > 0 || outcome.errors.length > 0) {
    const skippedPart = skipped.length > 0 ? `, ${skipped.length} skipped` : '';
    out.push(
      `Grading ${graded}: ${failed.length} of ${plural(run, 'test')} fail, ${passed.length} pass${skippedPart}.`,
    );
    const first = failed[0];
    if (first) {
      out.push('', `First failure: ${first.name}`);
      out.push(`    ${shorten(first.error ?? 'failed without a message')}`);
      if (first.at) out.push(`    at ${first.at}`);
    }
    for (const e of outcome.errors) out.push('', `Outside any test: ${shorten(e)}`);
  } else if (run === 0) {
    out.push(`Grading ${graded}: no test ran.`);
  } else {
    const skippedPart = skipped.length > 0 ? ` (${skipped.length} skipped)` : '';
    out.push(`Grading ${graded}: all ${plural(run, 'test')} pass${skippedPart}.`);
  }

  // Grouped by reason: one optional data set usually skips several tests.
  const byNote = new Map<string, string[]>();
  for (const t of skipped) {
    const note = t.note ?? 'no reason given';
    byNote.set(note, [...(byNote.get(note) ?? []), t.name]);
  }
  for (const [note, names] of byNote) {
    out.push('', `${plural(names.length, 'test')} skipped, not graded: ${note}`);
    for (const n of names) out.push(`  ${n}`);
  }

  const failing = failed.length > 0 || outcome.errors.length > 0;
  if (failing) {
    out.push(
      '',
      `Edit ${graded} (the task is in ${ctx.lab}/README.md), then run ${ctx.command} again.`,
    );
    if (!ctx.verbose) out.push(`Every failure in full: ${ctx.command} --verbose`);
  }
  if (ctx.verbose) out.push('', 'The full report:');
  return `${out.join('\n')}\n`;
}
