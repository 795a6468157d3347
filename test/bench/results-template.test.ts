import { describe, expect, it } from 'vitest';
import { formatFigure } from '../../src/bench/results-format';
import {
  judgeTarget,
  type ResultsFile,
  renderTemplate,
  stampText,
  TemplateError,
} from '../../src/bench/results-template';
import type { Target } from '../../src/bench/targets';

const machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 24, node: 'v20.20.2', os: 'linux 6' };

function file(over: Partial<ResultsFile> = {}): ResultsFile {
  return {
    stage: 'parse',
    date: '2026-12-06T07:23:09.473Z',
    machine,
    started: '2026-12-06T07:20:01.000Z',
    load: { start: [0.54, 1.41, 1.75], end: [1.2, 1.41, 1.7] },
    commit: '0123456789ab',
    rows: [
      {
        name: 'fast, parser',
        linesPerSec: 2_369_187.4,
        meanMs: 8674.5,
        peakRssMB: 228,
        per: { lines: 1e6 },
      },
      { name: 'slow | parser', linesPerSec: 622_158.2, meanMs: 20175.4 },
    ],
    ratios: [{ label: 'fast / slow', value: 3.808, target: 3 }],
    notes: ['one run', 'load 1.2'],
    ...over,
  };
}

const target: Target = {
  id: 't',
  label: 'fast parser',
  results: 'parse',
  figure: { row: 'fast, parser', field: 'linesPerSec' },
  at: 'least',
  bound: 2_000_000,
  format: 'M2',
  unit: 'lines/s',
};

const render = (template: string, results = new Map([['parse', file()]]), targets = [target]) =>
  renderTemplate(template, results, targets);

describe('results template', () => {
  it('fills a row field in each format', () => {
    expect(
      render(
        '{{parse "fast, parser" linesPerSec int}} | {{parse "fast, parser" linesPerSec M2}} | ' +
          '{{parse "fast, parser" meanMs s2}} | {{parse "fast, parser" peakRssMB mb}} | ' +
          '{{parse "slow | parser" meanMs ms1}} | {{parse "fast, parser" per.lines f1}}',
      ),
    ).toBe('2,369,187 | 2.37 M | 8.67 s | 228 MB | 20,175.4 ms | 1,000,000.0');
  });

  it('computes ratios of two rows, faster over slower for a time in ms', () => {
    expect(render('{{parse "fast, parser" / "slow | parser" linesPerSec x2}}')).toBe('3.81x');
    expect(render('{{parse "fast, parser" / "slow | parser" meanMs x2}}')).toBe('2.33x');
    expect(render('{{ parse ratio "fast / slow" x1 }}')).toBe('3.8x');
    expect(render('{{parse "fast, parser" peakRssMB / "fast, parser" meanMs f4}}')).toBe('0.0263');
  });

  it('stamps the run with its machine, time, load and commit', () => {
    expect(render('{{parse stamp}}')).toBe(
      'run of 2026-12-06 07:20 UTC – 07:23 UTC on Test CPU (2 cores, 24 GiB, Node v20.20.2), ' +
        'load average 0.54 1.41 1.75 at the start, 1.20 1.41 1.70 at the end (1, 5, 15 min), commit 0123456789ab',
    );
    expect(render('{{parse load}}')).toBe('0.5–1.2');
    const old = file({ started: undefined, load: undefined, commit: null });
    expect(stampText(old)).toBe(
      'run ending 2026-12-06 07:23 UTC on Test CPU (2 cores, 24 GiB, Node v20.20.2), load not recorded, commit not recorded',
    );
  });

  it('judges a target from targets, not from the template', () => {
    expect(render('{{target t}}')).toBe(
      '2.37 M lines/s (≥ 2.00 M): **met** (2026-12-06, load 1.2)',
    );
    const slow = { ...target, bound: 3_000_000 };
    expect(render('{{target t}}', undefined, [slow])).toBe(
      '2.37 M lines/s (≥ 3.00 M): **not met** (2026-12-06, load 1.2)',
    );
    const rss: Target = {
      ...target,
      figure: { row: 'fast, parser', field: 'peakRssMB' },
      at: 'most',
      bound: 256,
      format: 'mb',
      unit: undefined,
    };
    const judged = judgeTarget(new Map([['parse', file()]]), rss);
    expect(judged?.met).toBe(true);
    expect(judged?.share).toBeCloseTo(256 / 228, 12);
  });

  it('says when a target has no results file yet, rather than failing', () => {
    expect(render('{{target t}}', new Map())).toBe('no bench/results/parse.json yet');
  });

  it('names the line, file and row that is missing', () => {
    expect(() => render('a\nb {{parse "fast parser" linesPerSec int}}')).toThrow(
      new TemplateError('template line 2: bench/results/parse.json has no row named "fast parser"'),
    );
    expect(() => render('{{cluster/parse stamp}}')).toThrow(
      'template line 1: there is no bench/results/cluster/parse.json',
    );
    expect(() => render('{{parse "slow | parser" peakRssMB int}}')).toThrow(
      'row "slow | parser" has no number in field peakRssMB',
    );
    expect(() => render('{{parse ratio "slow / fast" x2}}')).toThrow('has no ratio "slow / fast"');
    expect(() => render('{{parse "fast, parser" linesPerSec M}}')).not.toThrow();
    expect(() => render('{{parse "fast, parser" linesPerSec kb}}')).toThrow(
      'format "kb" is not one of',
    );
    expect(() => render('{{target nope}}')).toThrow('targets.ts has no target "nope"');
  });

  it('refuses a bound that differs from the one the bench script recorded', () => {
    const t: Target = { ...target, figure: { ratio: 'fast / slow' }, bound: 2.5, format: 'x2' };
    expect(() => render('{{target t}}', undefined, [t])).toThrow(
      'records bound 3 for "fast / slow", targets.ts says 2.5',
    );
  });

  it('tables every row and ratio of a file', () => {
    expect(render('{{parse table}}')).toBe(
      [
        '| task | lines/s | mean | peak RSS |',
        '|---|---|---|---|',
        '| fast, parser | 2,369,187 | 8.67 s | 228 MB |',
        '| slow \\| parser | 622,158 | 20.18 s |  |',
        '',
        'fast / slow: **3.81x** (target ≥ 3x: met)',
      ].join('\n'),
    );
  });

  it('shows a results file no placeholder names under other results', () => {
    const results = new Map([
      ['parse', file()],
      [
        'e2e',
        file({ stage: 'e2e', rows: [{ name: 'end to end', linesPerSec: 12_345 }], ratios: [] }),
      ],
    ]);
    expect(render('{{parse stamp}}\n{{other results}}', results).split('\n').slice(1)).toEqual([
      '### `bench/results/e2e.json`',
      '',
      'run of 2026-12-06 07:20 UTC – 07:23 UTC on Test CPU (2 cores, 24 GiB, Node v20.20.2), load average 0.54 1.41 1.75 at the start, 1.20 1.41 1.70 at the end (1, 5, 15 min), commit 0123456789ab.',
      '',
      '| task | lines/s |',
      '|---|---|',
      '| end to end | 12,345 |',
    ]);
    // A target's cell shows one figure, not the file: the file still lands under other results.
    expect(render('{{target t}}\n{{other results}}').split('\n').slice(0, 2)).toEqual([
      '2.37 M lines/s (≥ 2.00 M): **met** (2026-12-06, load 1.2)',
      '### `bench/results/parse.json`',
    ]);
    expect(
      render('{{parse table}}{{other results}}').endsWith(
        'None: every results file has its section above.',
      ),
    ).toBe(true);
  });

  it('tables every latest results file with its stamp, not the recorded copies', () => {
    const results = new Map([
      ['parse', file()],
      ['recorded/parse-quiet', file()],
      ['cluster/latency', file({ started: undefined, load: undefined, commit: null })],
    ]);
    expect(render('{{latest results}}', results)).toBe(
      [
        '| latest results file | run |',
        '|---|---|',
        '| `cluster/latency` | run ending 2026-12-06 07:23 UTC on Test CPU (2 cores, 24 GiB, Node v20.20.2), load not recorded, commit not recorded |',
        '| `parse` | run of 2026-12-06 07:20 UTC – 07:23 UTC on Test CPU (2 cores, 24 GiB, Node v20.20.2), load average 0.54 1.41 1.75 at the start, 1.20 1.41 1.70 at the end (1, 5, 15 min), commit 0123456789ab |',
      ].join('\n'),
    );
  });

  it('lists the notes', () => {
    expect(render('{{parse notes}}')).toBe('- one run\n- load 1.2');
  });

  it('formats numbers one way', () => {
    expect(formatFigure(0.8301, 'x2')).toBe('0.83x');
    expect(formatFigure(1_139_717.4, 'int')).toBe('1,139,717');
    expect(formatFigure(8774.1, 's1')).toBe('8.8 s');
    expect(formatFigure(1, 'int3')).toBeNull();
  });
});
