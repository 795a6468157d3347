import { describe, expect, it } from 'vitest';
import { formatLabSummary, type LabOutcome, type LabTest } from '../../scripts/lab-summary';

const ctx = {
  lab: 'labs/01-parse',
  file: 'exercise.ts',
  command: 'npm run lab -- 01',
  verbose: false,
};

function failing(name: string, error: string, at?: string): LabTest {
  return { name: `labs/01-parse/exercise.ts: ${name}`, state: 'failed', error, at };
}

const NOTE = 'the real logs are not on this machine';

describe('formatLabSummary', () => {
  it('leads with the count, the first failure, the skipped tests and their reason, and the file to edit', () => {
    const outcome: LabOutcome = {
      tests: [
        failing(
          'unescapeField › decodes escapes',
          'Error: not implemented: unescapeField("a")',
          'labs/01-parse/exercise.ts:32:9',
        ),
        failing('closingQuote › finds the quote', 'Error: not implemented: closingQuote("b")'),
        { name: 'labs/01-parse/exercise.ts: parses › an empty line', state: 'passed' },
        { name: 'labs/01-parse/exercise.ts: a real log › all lines', state: 'skipped', note: NOTE },
        {
          name: 'labs/01-parse/exercise.ts: a real log › tricky lines',
          state: 'skipped',
          note: NOTE,
        },
        { name: 'labs/01-parse/exercise.ts: other › untold', state: 'skipped' },
      ],
      errors: [],
    };
    expect(formatLabSummary(outcome, ctx)).toBe(
      [
        'Grading labs/01-parse/exercise.ts: 2 of 3 tests fail, 1 pass, 3 skipped.',
        '',
        'First failure: unescapeField › decodes escapes',
        '    Error: not implemented: unescapeField("a")',
        '    at labs/01-parse/exercise.ts:32:9',
        '',
        '2 tests skipped, not graded: the real logs are not on this machine',
        '  a real log › all lines',
        '  a real log › tricky lines',
        '',
        '1 test skipped, not graded: no reason given',
        '  other › untold',
        '',
        'Edit labs/01-parse/exercise.ts (the task is in labs/01-parse/README.md), then run npm run lab -- 01 again.',
        'Every failure in full: npm run lab -- 01 --verbose',
        '',
      ].join('\n'),
    );
  });

  it('keeps only the first lines of a long assertion message', () => {
    const message = [
      'AssertionError: expected 1 to be 2',
      '',
      'Expected: 2',
      'Received: 1',
      'more',
    ];
    const text = formatLabSummary({ tests: [failing('t', message.join('\n'))], errors: [] }, ctx);
    expect(text).toContain(
      '    AssertionError: expected 1 to be 2\n    \n    Expected: 2\n    Received: 1\n\nEdit',
    );
    expect(text).not.toContain('more');
  });

  it('says when everything passes, and announces the full report under --verbose', () => {
    const outcome: LabOutcome = {
      tests: [
        { name: 'a', state: 'passed' },
        { name: 'b', state: 'passed' },
      ],
      errors: [],
    };
    expect(formatLabSummary(outcome, { ...ctx, verbose: true })).toBe(
      'Grading labs/01-parse/exercise.ts: all 2 tests pass.\n\nThe full report:\n',
    );
  });

  it('says when the test file could not run at all', () => {
    const outcome: LabOutcome = {
      tests: [],
      errors: ['SyntaxError: Unexpected token (12:3)'],
    };
    expect(formatLabSummary(outcome, ctx)).toBe(
      [
        'Grading labs/01-parse/exercise.ts: the tests could not run.',
        '  SyntaxError: Unexpected token (12:3)',
        '',
        'Edit labs/01-parse/exercise.ts (the task is in labs/01-parse/README.md), then run npm run lab -- 01 again.',
        'Every failure in full: npm run lab -- 01 --verbose',
        '',
      ].join('\n'),
    );
  });

  it('leaves out the graded file where a test title starts with it, with or without a colon', () => {
    const lab04 = { ...ctx, lab: 'labs/04-exactly-once' };
    const outcome: LabOutcome = {
      tests: [
        {
          name: 'labs/04-exactly-once/exercise.ts on a local lake: commits after the renames',
          state: 'failed',
          error: 'AssertionError: committed before the renames',
        },
      ],
      errors: [],
    };
    expect(formatLabSummary(outcome, lab04).split('\n').slice(0, 3)).toEqual([
      'Grading labs/04-exactly-once/exercise.ts: 1 of 1 test fail, 0 pass.',
      '',
      'First failure: on a local lake: commits after the renames',
    ]);
  });
});
