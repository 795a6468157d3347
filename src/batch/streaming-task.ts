/**
 * One Hadoop Streaming task of a job, over lines: what `node task.mjs <job> map|combine|reduce`
 * does with stdin and stdout on a Hadoop node (task.ts), and what tests run in process.
 *
 * - map: each input line is a log line; parsed records go to `map`, rejected lines are counted.
 *   A job with a combiner is combined in the mapper too, through the embedded runner's map
 *   buffer (map-buffer.ts: equal keys grouped, combined as they come, written out sorted every
 *   MAP_BUFFER_BYTES), as mrjob and the in-mapper combining pattern do: on 1,000,000 lines and
 *   every job the map tasks wrote ~520 MB that Hadoop had to sort and spill, then ran
 *   `combine` over, to the reducers' same rows. Hadoop's own combiner still runs on its spills.
 * - combine, reduce: input lines are `key TAB value`, sorted by key (Hadoop's shuffle), so a
 *   key's values are consecutive; each key and its values go to `combine` or `reduce`.
 * Output lines are `key TAB value`, escaped by codec.ts. Counters go to stderr in Streaming's
 * `reporter:counter:group,name,amount` form.
 */
import { getParser, type ParseFormat } from '../log/parser';
import { isRejection } from '../log/record';
import { encodeLine, keyEnd, unescapeField } from './codec';
import { createJobCounters } from './counters';
import type { Emit, Job } from './job';
import { jobFailed, MapBuffer, type MemoryBudget } from './map-buffer';

/** Map output a task buffers (by map-buffer.ts's estimate) before it writes it out combined. */
export const MAP_BUFFER_BYTES = 8 << 20;

export type TaskPhase = 'map' | 'combine' | 'reduce';
export const TASK_PHASES: readonly TaskPhase[] = ['map', 'combine', 'reduce'];

export interface TaskCounters {
  /** Lines read. */
  input: number;
  /** Map: lines the parser rejected. */
  rejects: number;
  /** Pairs written. */
  output: number;
}

export type Lines = AsyncIterable<readonly string[]> | Iterable<readonly string[]>;

/** Run `phase` of `job` over batches of lines, writing output text through `write`. */
export async function runStreamingTask(
  job: Job,
  phase: TaskPhase,
  lines: Lines,
  write: (text: string) => void | Promise<void>,
  format: ParseFormat = 'auto',
  /** The combiner a map task runs over its own output (default the job's). */
  mapCombine: Job['combine'] = job.combine,
): Promise<TaskCounters> {
  const counters: TaskCounters = { input: 0, rejects: 0, output: 0 };
  let out: string[] = [];
  const emit: Emit = (key, value) => {
    counters.output++;
    out.push(encodeLine(key, value));
  };
  const flush = async () => {
    if (out.length === 0) return;
    const text = out.join('');
    out = [];
    await write(text);
  };
  if (phase === 'map' && mapCombine !== undefined) {
    return combinedMap(job, mapCombine, lines, write, format);
  }
  if (phase === 'map') {
    await mapBatches(job, lines, format, counters, emit, flush);
    return counters;
  }
  const fn = phase === 'combine' ? job.combine : job.reduce;
  if (fn === undefined) throw jobFailed(job, phase, new Error('the job has no combiner'));
  let key: string | null = null;
  let values: string[] = [];
  const group = () => {
    if (key === null) return;
    try {
      fn.call(job, unescapeField(key), values, emit);
    } catch (err) {
      throw jobFailed(job, phase, err);
    }
  };
  for await (const batch of lines) {
    for (const line of batch) {
      if (line.length === 0) continue;
      counters.input++;
      const tab = keyEnd(line);
      const k = line.slice(0, tab);
      if (k !== key) {
        group();
        key = k;
        values = [];
      }
      values.push(tab < line.length ? unescapeField(line.slice(tab + 1)) : '');
    }
    await flush();
  }
  group();
  if (phase === 'reduce' && job.reduceEnd) {
    try {
      job.reduceEnd(emit);
    } catch (err) {
      throw jobFailed(job, phase, err);
    }
  }
  await flush();
  return counters;
}

/** Parse each line and map it into `emit`, counting input and rejects; `flush` after each batch. */
async function mapBatches(
  job: Job,
  lines: Lines,
  format: ParseFormat,
  counters: TaskCounters,
  emit: Emit,
  flush: () => Promise<void>,
): Promise<void> {
  const parse = getParser(format);
  for await (const batch of lines) {
    for (const line of batch) {
      counters.input++;
      const outcome = parse(line);
      if (isRejection(outcome)) {
        counters.rejects++;
        continue;
      }
      try {
        job.map(outcome, emit);
      } catch (err) {
        throw jobFailed(job, 'map', err);
      }
    }
    await flush();
  }
}

/** The map phase of a job with a combiner: its output combined in the task (module docblock). */
async function combinedMap(
  job: Job,
  combine: NonNullable<Job['combine']>,
  lines: Lines,
  write: (text: string) => void | Promise<void>,
  format: ParseFormat,
): Promise<TaskCounters> {
  const counters: TaskCounters = { input: 0, rejects: 0, output: 0 };
  const jobCounters = createJobCounters();
  const ready: string[] = [];
  const budget: MemoryBudget = {
    used: 0,
    limit: MAP_BUFFER_BYTES,
    spillAll() {
      ready.push(buffer.drain()[0]);
      budget.used = 0;
    },
  };
  const buffer = new MapBuffer({ ...job, combine }, 1, budget, '', jobCounters);
  const flush = async () => {
    for (const text of ready.splice(0)) if (text.length > 0) await write(text);
  };
  await mapBatches(job, lines, format, counters, buffer.emit, flush);
  budget.spillAll();
  await flush();
  // The pairs `map` emitted, as without combining: the runners compare this count.
  counters.output = jobCounters.mapOutputRecords;
  return counters;
}

/** The counters as Hadoop Streaming reads them from a task's stderr. */
export function counterLines(job: Job, phase: TaskPhase, c: TaskCounters): string {
  const group = `loglab ${job.name}`;
  const lines = [`reporter:counter:${group},${phase} input,${c.input}`];
  if (phase === 'map') lines.push(`reporter:counter:${group},map rejects,${c.rejects}`);
  lines.push(`reporter:counter:${group},${phase} output,${c.output}`);
  return `${lines.join('\n')}\n`;
}
