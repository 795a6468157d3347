/**
 * Writes what an ArchiveRoller routes onto a Store: each open file streamed to its `_tmp/` path,
 * and a roll made visible all at once (lake-recovery.ts says why that is exactly once):
 * end the files, then `publishRoll`: write the manifest (several files only), rename each into
 * place, delete the manifest, then hand the roll to `onRolled` (the archiver commits its offset
 * there). The publishing step is a parameter so that lab 04 can plug a learner's own into the
 * real writer; everything else uses `publishRoll`.
 *
 * With `gzip` compression each file's lines go through a gzip stream piped into the Store's
 * stream, so what lands under `_tmp/` and then in place is one complete gzip member, which
 * Hadoop's input formats (and `loglab lake cat`) decompress by the `.gz` of the final name.
 */
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Store } from '../storage/store';
import type { ArchiveRoller, OpenFile, Roll } from './archive-roller';
import { manifestPath, manifestText } from './lake-recovery';

/**
 * Makes a roll whose files are closed under `_tmp/` visible in the lake, then calls `commit`.
 * The order is the whole point: a commit before the renames, and a crash between the two loses
 * the roll's lines (the group resumes after them; the lake does not have them).
 */
export type PublishRoll = (
  store: Store,
  topic: string,
  roll: Roll,
  commit: () => Promise<void>,
) => Promise<void>;

export const publishRoll: PublishRoll = async (store, topic, roll, commit) => {
  const first = roll.files[0].file.firstOffset;
  const manifest = roll.files.length > 1 ? manifestPath(topic, roll.partition, first) : null;
  if (manifest !== null) {
    const out = await store.create(manifest, { overwrite: true });
    out.end(manifestText({ renames: roll.files.map((f) => [f.tmpPath, f.finalPath] as const) }));
    await finished(out);
  }
  for (const f of roll.files) await store.rename(f.tmpPath, f.finalPath);
  if (manifest !== null) await store.delete(manifest);
  await commit();
};

/** An open file's stream: where its lines go, and what settles once its bytes are stored. */
interface FileStream {
  readonly input: Writable;
  readonly stored: Promise<unknown>;
}

export class LakeWriter {
  private readonly writers = new Map<OpenFile, FileStream>();
  /**
   * The first error of a stream, kept from the moment it happens: a store may fail a write
   * between two drains (a full disk, HDFS gone), when nobody waits on the stream, and an
   * 'error' event without a listener would end the process instead of the run.
   */
  private failure: Error | null = null;
  files = 0;
  rolls = 0;

  constructor(
    private readonly store: Store,
    readonly roller: ArchiveRoller,
    private readonly topic: string,
    private readonly onRolled: (roll: Roll) => void | Promise<void> = () => {},
    private readonly publish: PublishRoll = publishRoll,
  ) {}

  /**
   * Routes one line; rolls its partition at once when its file reached the roll size, and only
   * then returns a promise (await it): a line that only joins a file costs no await.
   */
  add(partition: number, offset: number, line: string, now: number): Promise<void> | undefined {
    if (this.roller.add(partition, offset, line, now)) return this.rollPartition(partition);
    return undefined;
  }

  /** Hands every open file's pending lines to its stream. */
  async drainAll(): Promise<void> {
    for (const f of this.roller.openFiles()) await this.drain(f);
  }

  async rollDue(now: number): Promise<void> {
    for (const p of this.roller.due(now)) await this.rollPartition(p);
  }

  async rollAll(): Promise<void> {
    for (const p of this.roller.openPartitions()) await this.rollPartition(p);
  }

  /** After a failure: close the open streams, leave `_tmp/` for the next start to discard. */
  destroy(): void {
    for (const out of this.writers.values()) out.input.destroy();
    this.writers.clear();
  }

  private async drain(file: OpenFile): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (file.pending.length === 0) return;
    let stream = this.writers.get(file);
    if (stream === undefined) {
      stream = await this.open(file.tmpPath);
      this.writers.set(file, stream);
    }
    const out = stream.input;
    const text = file.pending.join('');
    file.pending = [];
    if (!out.write(text)) {
      const w = out;
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        w.once('error', onError);
        w.once('drain', () => {
          w.off('error', onError);
          resolve();
        });
      });
    }
  }

  private async open(path: string): Promise<FileStream> {
    const out = await this.store.create(path, { overwrite: true });
    // Settled from the start so that a store error before the roll is never unhandled; the
    // roll awaits the same promise and sees the error there.
    let stored: Promise<unknown>;
    let input: Writable = out;
    if (this.roller.compression === 'gzip') {
      const gzip = createGzip();
      input = gzip;
      stored = pipeline(gzip, out);
    } else {
      stored = finished(out);
    }
    stored.catch((err: Error) => {
      this.failure ??= err;
    });
    return { input, stored };
  }

  async rollPartition(partition: number): Promise<void> {
    const roll = this.roller.roll(partition);
    if (roll === null) return;
    for (const f of roll.files) {
      await this.drain(f.file);
      const out = this.writers.get(f.file) as FileStream;
      this.writers.delete(f.file);
      out.input.end();
      await out.stored;
    }
    await this.publish(this.store, this.topic, roll, async () => {
      this.files += roll.files.length;
      this.rolls++;
      await this.onRolled(roll);
    });
  }
}
