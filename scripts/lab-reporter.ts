/**
 * A vitest reporter for `npm run lab`: it prints nothing and writes the run as a `LabOutcome`
 * (lab-summary.ts) to the JSON file named by LOGLAB_LAB_REPORT. vitest's own JSON report has no
 * place for a skipped test's reason (`ctx.skip(condition, note)`); this one keeps it.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { SerializedError } from '@vitest/utils';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { LabOutcome, LabTest } from './lab-summary';

function describeError(e: SerializedError): string {
  const name = e.name && e.name !== 'Error' ? e.name : 'Error';
  // Colour codes of a transform error would print as noise in the plain summary.
  return stripVTControlCharacters(`${name}: ${e.message}`);
}

/**
 * Where the learner's code threw: the first stack frame in the graded file (exercise.ts, or
 * solution.ts), else the first inside the labs folder outside the tests (a lab's own grading
 * helper, such as lab 04's crash suite, comes after the learner's frames it calls).
 */
function labFrame(e: SerializedError): string | undefined {
  const graded = `/${process.env.LOGLAB_LAB_TARGET === 'solution' ? 'solution' : 'exercise'}.ts`;
  let fallback: string | undefined;
  for (const s of e.stacks ?? []) {
    const file = relative(process.cwd(), s.file);
    if (!file.startsWith('labs/') || file.endsWith('.test.ts')) continue;
    const at = `${file}:${s.line}:${s.column}`;
    if (file.endsWith(graded)) return at;
    fallback ??= at;
  }
  return fallback;
}

function testOf(test: TestCase): LabTest {
  const names: string[] = [test.name];
  for (let p = test.parent; p.type === 'suite'; p = p.parent) names.unshift(p.name);
  const name = names.join(' › ');
  const result = test.result();
  if (result.state === 'failed') {
    const first = result.errors[0];
    return {
      name,
      state: 'failed',
      error: first ? describeError(first) : undefined,
      at: first ? labFrame(first) : undefined,
    };
  }
  if (result.state === 'skipped') return { name, state: 'skipped', note: result.note };
  return { name, state: result.state === 'passed' ? 'passed' : 'skipped' };
}

export default class LabReporter implements Reporter {
  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandled: ReadonlyArray<SerializedError>,
  ): void {
    const tests: LabTest[] = [];
    const errors: string[] = [];
    for (const m of modules) {
      for (const e of m.errors()) errors.push(describeError(e));
      for (const t of m.children.allTests()) tests.push(testOf(t));
    }
    for (const e of unhandled) errors.push(describeError(e));
    const outcome: LabOutcome = { tests, errors };
    const file = process.env.LOGLAB_LAB_REPORT;
    if (file) writeFileSync(file, JSON.stringify(outcome));
  }
}
