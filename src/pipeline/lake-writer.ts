/**
 * Writes what an ArchiveRoller routes onto a Store: each open file streamed to its `_tmp/` path,
 * and a roll made visible all at once: end the files, publish them under the roll's claim
 * (roll-claim.ts: manifest claimed by an atomic rename, renames, claim deleted; why that is
 * exactly once even with several writers: there and in lake-recovery.ts), then hand the roll to
 * `onRolled` (the archiver commits its offset there).
 */
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Store } from '../storage/store';
import type { ArchiveRoller, OpenFile, Roll } from './archive-roller';
import { deleteBelow, publishRoll } from './roll-claim';

/** What became of a roll: in the lake, given up as stale, or dropped with its partition. */
export type RollOutcome = 'published' | 'stale' | 'dropped';

export interface LakeWriterOptions {
  /** Names this writer's drafts under `_tmp/`; random when absent. */
  readonly writer?: string;
  /** Whether the partition is still this writer's: a roll of one that is not is dropped. */
  readonly owns?: (partition: number) => boolean;
  /** A roll whose first offset someone else stored: nothing of it was published. */
  readonly onStale?: (roll: Roll) => void;
}

/** A fresh writer tag: letters and digits, unique enough among the members of a group. */
export function newWriterTag(): string {
  return randomBytes(6).toString('hex');
}

export class LakeWriter {
  private readonly writers = new Map<OpenFile, Writable>();
  /** Files whose stream failed, with the error. */
  private readonly broken = new Map<OpenFile, Error>();
  files = 0;
  rolls = 0;

  private readonly writer: string;

  constructor(
    private readonly store: Store,
    readonly roller: ArchiveRoller,
    private readonly topic: string,
    private readonly onRolled: (roll: Roll) => void | Promise<void> = () => {},
    private readonly options: LakeWriterOptions = {},
  ) {
    this.writer = options.writer ?? newWriterTag();
  }

  /**
   * Routes one line; rolls its partition at once when its file reached the roll size, and only
   * then returns a promise (await it): a line that only joins a file costs no await.
   */
  add(
    partition: number,
    offset: number,
    line: string,
    now: number,
  ): Promise<RollOutcome | null> | undefined {
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
    for (const out of this.writers.values()) out.destroy();
    this.writers.clear();
  }

  private async drain(file: OpenFile): Promise<void> {
    if (file.pending.length === 0) return;
    const failed = this.broken.get(file);
    if (failed !== undefined) {
      // Deleted under it (see endFiles): its roll will be stale. Any other failure stops us now.
      if ((await this.store.stat(file.tmpPath)) !== null) throw failed;
      file.pending = [];
      return;
    }
    let out = this.writers.get(file);
    if (out === undefined) {
      out = await this.store.create(file.tmpPath, { overwrite: true });
      // A stream can fail between our writes (an upload refused, its file deleted): kept for
      // the roll to look at, never an uncaught 'error'.
      out.on('error', (err: Error) => {
        if (!this.broken.has(file)) this.broken.set(file, err);
      });
      this.writers.set(file, out);
    }
    const text = file.pending.join('');
    file.pending = [];
    if (!out.write(text)) {
      const w = out;
      await new Promise<void>((resolve) => {
        const done = () => {
          w.off('error', done);
          w.off('drain', done);
          resolve();
        };
        w.once('error', done);
        w.once('drain', done);
      });
    }
  }

  /**
   * Ends a roll's streams. True when one of its files failed because it is no longer there:
   * a member recovering the partition deleted it, which it does only to files below the
   * offsets the lake holds (roll-claim.ts), so the roll is stale. Any other failure is thrown.
   */
  private async endFiles(roll: Roll): Promise<boolean> {
    for (const f of roll.files) {
      await this.drain(f.file);
      const out = this.writers.get(f.file);
      this.writers.delete(f.file);
      if (out === undefined || this.broken.has(f.file)) {
        out?.destroy();
        continue;
      }
      out.end();
      await finished(out).catch((err: Error) => {
        this.broken.set(f.file, err);
      });
    }
    let vanished = false;
    for (const f of roll.files) {
      const err = this.broken.get(f.file);
      if (err === undefined) continue;
      this.broken.delete(f.file);
      if ((await this.store.stat(f.tmpPath)) !== null) throw err;
      vanished = true;
    }
    return vanished;
  }

  /** Closes a partition's files without publishing them (it was revoked): their `_tmp/` files go. */
  async dropPartition(partition: number): Promise<void> {
    const roll = this.roller.roll(partition);
    if (roll === null) return;
    await this.discard(roll);
  }

  private async discard(roll: Roll): Promise<void> {
    for (const f of roll.files) {
      this.writers.get(f.file)?.destroy();
      this.writers.delete(f.file);
      this.broken.delete(f.file);
    }
    for (const f of roll.files) await this.store.delete(f.tmpPath, { missingOk: true });
  }

  /** Rolls a partition's files; null when it had none open. */
  async rollPartition(partition: number): Promise<RollOutcome | null> {
    const roll = this.roller.roll(partition);
    if (roll === null) return null;
    if (this.options.owns !== undefined && !this.options.owns(partition)) {
      await this.discard(roll);
      return 'dropped';
    }
    const vanished = await this.endFiles(roll);
    if (vanished) await this.discard(roll);
    if (vanished || (await publishRoll(this.store, this.topic, roll, this.writer)) === 'stale') {
      this.options.onStale?.(roll);
      return 'stale';
    }
    this.files += roll.files.length;
    this.rolls++;
    await deleteBelow(this.store, this.topic, new Map([[partition, roll.nextOffset]]));
    await this.onRolled(roll);
    return 'published';
  }
}
