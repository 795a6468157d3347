/**
 * BENCHMARKS.md is made, not written: bench/BENCHMARKS.md.tmpl holds the prose, and every
 * measured figure in it is a placeholder bound to a row of a results file. This module fills the
 * placeholders; scripts/benchmarks-md.ts reads the files and writes the page.
 *
 * What we decided:
 * - A placeholder names its results file, row and field, so adding a figure is one edit of the
 *   template and nothing else. Rows are found by `name`, the one thing every bench script
 *   already writes, so new rows need no change here.
 * - Ratios are computed here from the two rows (`"A" / "B" FIELD`), or read by label from the
 *   file's `ratios` when the script recorded one (`ratio "LABEL"`).
 * - Met / not met comes from targets.ts, never from the template, so a bound is set once.
 * - A name the file does not have is an error that names the file, the row and the template line:
 *   a page with a silently empty cell is worse than no page. The one exception is a target whose
 *   whole results file does not exist yet (a cluster run never made): its cell says so.
 * - Numbers go through results-format.ts only.
 *
 * Placeholders (`KEY` is a path under bench/results without `.json`: `parse`, `cluster/stream`):
 *
 *   {{KEY "ROW" FIELD FORMAT}}          a row's field, e.g. {{parse "regex parser" linesPerSec int}}
 *   {{KEY "ROW" / "ROW" FIELD FORMAT}}  a ratio of two rows' field (for a field in ms, the
 *                                       second over the first, so > 1 still means faster)
 *   {{KEY "ROW" FIELD / "ROW" FIELD FORMAT}}  one field over another (CPU time over wall time)
 *   {{KEY ratio "LABEL" FORMAT}}        a ratio the bench script recorded
 *   {{KEY stamp}}                       where, when, under what load and at which commit it ran
 *   {{KEY load}}                        the 1-minute load average: "0.5–1.2" (start–end) or "1.9"
 *   {{KEY table}}                       every row and ratio of the file, as a table
 *   {{KEY notes}}                       the file's notes, as a list
 *   {{latest results}}                  a table of every results file but recorded/ copies, stamped
 *   {{other results}}                   every results file no other placeholder names, with its
 *                                       stamp and table (a new bench script's file lands there)
 *   {{target ID}}                       a target's figure and met / not met (targets.ts)
 */
import { FORMATS, formatFigure } from './results-format';
import type { Target } from './targets';

/** A results file as read back: the harness's BenchReport, stamps optional for older files. */
export interface ResultsRow {
  readonly name: string;
  readonly [field: string]: unknown;
}

export interface ResultsFile {
  readonly stage: string;
  readonly date: string;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly node: string;
    readonly os: string;
  };
  readonly started?: string;
  readonly load?: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly commit?: string | null;
  readonly rows: readonly ResultsRow[];
  readonly ratios: readonly {
    readonly label: string;
    readonly value: number;
    readonly target?: number;
  }[];
  readonly notes: readonly string[];
}

/** Results files by key (`parse`, `cluster/storage`). */
export type ResultsSet = ReadonlyMap<string, ResultsFile>;

/** A template that cannot be filled: the message names the line, the file and what is missing. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** A target judged on the results: its figure, and whether the bound is met. */
export interface TargetResult {
  readonly target: Target;
  readonly value: number;
  readonly met: boolean;
  /** value ÷ bound for an 'at least' target, bound ÷ value for 'at most': ≥ 1 is met. */
  readonly share: number;
  readonly file: ResultsFile;
}

const fileLabel = (key: string) => `bench/results/${key}.json`;

function fileOf(results: ResultsSet, key: string): ResultsFile {
  const file = results.get(key);
  if (file === undefined) throw new TemplateError(`there is no ${fileLabel(key)}`);
  return file;
}

function rowOf(results: ResultsSet, key: string, name: string): ResultsRow {
  const row = fileOf(results, key).rows.find((r) => r.name === name);
  if (row === undefined) throw new TemplateError(`${fileLabel(key)} has no row named "${name}"`);
  return row;
}

function fieldOf(results: ResultsSet, key: string, name: string, field: string): number {
  let value: unknown = rowOf(results, key, name);
  for (const part of field.split('.')) {
    value = typeof value === 'object' && value !== null ? (value as never)[part] : undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TemplateError(`${fileLabel(key)}: row "${name}" has no number in field ${field}`);
  }
  return value;
}

function ratioOf(
  results: ResultsSet,
  key: string,
  label: string,
): { value: number; target?: number } {
  const ratio = fileOf(results, key).ratios.find((r) => r.label === label);
  if (ratio === undefined) throw new TemplateError(`${fileLabel(key)} has no ratio "${label}"`);
  return ratio;
}

function format(value: number, spec: string | undefined): string {
  const text = spec === undefined ? null : formatFigure(value, spec);
  if (text === null) throw new TemplateError(`format "${spec ?? ''}" is not one of ${FORMATS}`);
  return text;
}

/** "2026-12-06 07:23 UTC" */
function minute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const loads = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(' ');

/** Where, when, under what load and at which commit the run of a results file was made. */
export function stampText(file: ResultsFile): string {
  const m = file.machine;
  const when =
    file.started === undefined
      ? `run ending ${minute(file.date)}`
      : `run of ${minute(file.started)} – ${file.date.slice(11, 16)} UTC`;
  const start = file.load?.start ?? [];
  const end = file.load?.end ?? [];
  const load =
    start.length > 0 && end.length > 0
      ? `load average ${loads(start)} at the start, ${loads(end)} at the end (1, 5, 15 min)`
      : end.length > 0
        ? `load average ${loads(end)} (1, 5, 15 min)`
        : 'load not recorded';
  const commit = file.commit ? `commit ${file.commit}` : 'commit not recorded';
  return `${when} on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}), ${load}, ${commit}`;
}

/** The 1-minute load average of a run, one decimal: "0.5–1.2" (start–end), or the one sample. */
export function loadText(file: ResultsFile): string | null {
  const start = file.load?.start[0];
  const end = file.load?.end[0];
  if (end === undefined) return null;
  return start === undefined ? end.toFixed(1) : `${start.toFixed(1)}–${end.toFixed(1)}`;
}

/** Judge one target; null when its results file does not exist (that run was never made). */
export function judgeTarget(results: ResultsSet, target: Target): TargetResult | null {
  const file = results.get(target.results);
  if (file === undefined) return null;
  let value: number;
  if ('ratio' in target.figure) {
    const ratio = ratioOf(results, target.results, target.figure.ratio);
    if (ratio.target !== undefined && ratio.target !== target.bound) {
      throw new TemplateError(
        `target ${target.id}: ${fileLabel(target.results)} records bound ${ratio.target} for "${target.figure.ratio}", targets.ts says ${target.bound}`,
      );
    }
    value = ratio.value;
  } else {
    value = fieldOf(results, target.results, target.figure.row, target.figure.field);
  }
  const met = target.at === 'least' ? value >= target.bound : value <= target.bound;
  const share = target.at === 'least' ? value / target.bound : target.bound / value;
  return { target, value, met, share, file };
}

function targetCell(results: ResultsSet, targets: readonly Target[], id: string): string {
  const target = targets.find((t) => t.id === id);
  if (target === undefined) throw new TemplateError(`targets.ts has no target "${id}"`);
  const judged = judgeTarget(results, target);
  if (judged === null) return `no ${fileLabel(target.results)} yet`;
  const unit = target.unit === undefined ? '' : ` ${target.unit}`;
  const bound = `${target.at === 'least' ? '≥' : '≤'} ${format(target.bound, target.format)}`;
  const when = judged.file.date.slice(0, 10);
  const load = judged.file.load?.end[0];
  return (
    `${format(judged.value, target.format)}${unit} (${bound}): **${judged.met ? 'met' : 'not met'}**` +
    ` (${when}${load === undefined ? '' : `, load ${load.toFixed(1)}`})`
  );
}

/** The fields a results table shows, in this order, when any row has them. */
const TABLE_FIELDS: readonly [string, string, string][] = [
  ['linesPerSec', 'lines/s', 'int'],
  ['mbPerSec', 'MB/s', 'int'],
  ['messagesPerSec', 'msgs/s', 'int'],
  ['eventsPerSec', 'events/s', 'int'],
  ['meanMs', 'mean', 'ms2'],
  ['p50Ms', 'p50', 'ms2'],
  ['p99Ms', 'p99', 'ms2'],
  ['cpuMs', 'CPU', 'ms0'],
  ['peakRssMB', 'peak RSS', 'mb'],
  ['samples', 'samples', 'int'],
];

/** Every row and ratio of a results file, as markdown. */
export function resultsTable(file: ResultsFile): string {
  const fields = TABLE_FIELDS.filter(([f]) => file.rows.some((r) => typeof r[f] === 'number'));
  const lines = [
    `| task | ${fields.map(([, h]) => h).join(' | ')} |`,
    `|---|${fields.map(() => '---|').join('')}`,
  ];
  for (const row of file.rows) {
    const cells = fields.map(([f, , spec]) => {
      const v = row[f];
      if (typeof v !== 'number') return '';
      // Whole commands take seconds: 8.67 s reads better than 8,674.55 ms.
      return format(v, spec.startsWith('ms') && v >= 1000 ? 's2' : spec);
    });
    // A row name may hold a pipe ("task script | sort | task script"): escape it for the table.
    lines.push(`| ${row.name.replaceAll('|', '\\|')} | ${cells.join(' | ')} |`);
  }
  for (const r of file.ratios) {
    const bound =
      r.target === undefined
        ? ''
        : ` (target ≥ ${r.target}x: ${r.value >= r.target ? 'met' : 'not met'})`;
    lines.push('', `${r.label}: **${format(r.value, 'x2')}**${bound}`);
  }
  return lines.join('\n');
}

/** The words of a placeholder: quoted names kept whole. */
function words(body: string): string[] {
  const out: string[] = [];
  for (const m of body.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2]);
  return out;
}

function fill(body: string, results: ResultsSet, targets: readonly Target[]): string {
  const w = words(body);
  const quoted = [...body.matchAll(/"[^"]*"|\S+/g)].map((m) => m[0].startsWith('"'));
  if (w[0] === 'target' && w.length === 2) return targetCell(results, targets, w[1]);
  const key = w[0];
  if (w.length === 2 && w[1] === 'stamp') return stampText(fileOf(results, key));
  if (w.length === 2 && w[1] === 'load') {
    const load = loadText(fileOf(results, key));
    if (load === null) throw new TemplateError(`${fileLabel(key)} has no load average`);
    return load;
  }
  if (w.length === 2 && w[1] === 'notes') {
    return fileOf(results, key)
      .notes.map((n) => `- ${n}`)
      .join('\n');
  }
  if (w.length === 2 && w[1] === 'table') return resultsTable(fileOf(results, key));
  if (w.length === 4 && w[1] === 'ratio' && quoted[2]) {
    return format(ratioOf(results, key, w[2]).value, w[3]);
  }
  if (w.length === 4 && quoted[1]) return format(fieldOf(results, key, w[1], w[2]), w[3]);
  if (w.length === 7 && quoted[1] && w[3] === '/' && quoted[4]) {
    return format(fieldOf(results, key, w[1], w[2]) / fieldOf(results, key, w[4], w[5]), w[6]);
  }
  if (w.length === 6 && quoted[1] && w[2] === '/' && quoted[3]) {
    const a = fieldOf(results, key, w[1], w[4]);
    const b = fieldOf(results, key, w[3], w[4]);
    return format(w[4].endsWith('Ms') ? b / a : a / b, w[5]);
  }
  throw new TemplateError(
    `cannot read {{${body}}}: expected KEY "ROW" FIELD FORMAT, KEY "ROW" / "ROW" FIELD FORMAT, KEY "ROW" FIELD / "ROW" FIELD FORMAT, KEY ratio "LABEL" FORMAT, KEY stamp, KEY load, KEY table, KEY notes or target ID`,
  );
}

/**
 * The results keys a template's placeholders name. A target's cell does not count: it shows one
 * figure of the file, not the file.
 */
function mentionedKeys(template: string): Set<string> {
  const keys = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) {
    const w = words(m[1].trim());
    if (w[0] !== 'target') keys.add(w[0]);
  }
  return keys;
}

/**
 * Every results file no placeholder names, each with its stamp and table: a new bench script's
 * file shows on the page before anyone writes its section.
 */
function otherResults(results: ResultsSet, mentioned: ReadonlySet<string>): string {
  const others = [...results.keys()].filter((k) => !mentioned.has(k)).sort();
  if (others.length === 0) return 'None: every results file has its section above.';
  return others
    .map((key) => {
      const file = fileOf(results, key);
      return `### \`${fileLabel(key)}\`\n\n${stampText(file)}.\n\n${resultsTable(file)}`;
    })
    .join('\n\n');
}

/** A table of every latest results file (not the copies under recorded/) and its stamp. */
function latestResults(results: ResultsSet): string {
  const keys = [...results.keys()].filter((k) => !k.startsWith('recorded/')).sort();
  return [
    '| latest results file | run |',
    '|---|---|',
    ...keys.map((k) => `| \`${k}\` | ${stampText(fileOf(results, k))} |`),
  ].join('\n');
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** The template with every placeholder filled; a TemplateError names the line of the first bad one. */
export function renderTemplate(
  template: string,
  results: ResultsSet,
  targets: readonly Target[],
): string {
  const mentioned = mentionedKeys(template);
  return template.replace(PLACEHOLDER, (_all, body: string, offset: number) => {
    try {
      const text = body.trim();
      if (text === 'other results') return otherResults(results, mentioned);
      if (text === 'latest results') return latestResults(results);
      return fill(text, results, targets);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      const line = template.slice(0, offset).split('\n').length;
      throw new TemplateError(`template line ${line}: ${err.message}`);
    }
  });
}
