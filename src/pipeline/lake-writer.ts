/**
 * Writes what an ArchiveRoller routes onto a Store: each open file streamed to its `_tmp/` path,
 * and a roll made visible all at once: end the files, publish them under the roll's claim
 * (roll-claim.ts: manifest claimed by an atomic rename, renames, claim deleted; why that is
 * exactly once even with several writers: there and in lake-recovery.ts), then hand the roll to
 * `onRolled` (the archiver commits its offset there). The publishing step can be replaced so that
 * lab 04 can plug a learner's own into the real writer (`publish`, with `publishRoll` below as
 * the lone writer's reference); such a step takes no claim, so it is exactly once only for one
 * archiver per group.
 *
 * With `gzip` compression each file's lines go through a gzip stream piped into the Store's
 * stream, so what lands under `_tmp/` and then in place is one complete gzip member, which
 * Hadoop's input formats (and `loglab lake cat`) decompress by the `.gz` of the final name.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { isStoreOutage } from '../storage/retrying-store';
import type { Store } from '../storage/store';
import type { RawValue } from '../stream/broker';
import type { ArchiveRoller, OpenFile, Roll } from './archive-roller';
import { manifestPath, manifestText } from './lake-recovery';
import { deleteBelow, draftPath, publishClaimed, storedBefore, writeDraft } from './roll-claim';

/** Unwritten bytes an open file may hold before the writer waits for the store. */
const MAX_BUFFERED = 4 * 1024 * 1024;

/**
 * Buffer's own UTF-8 writer, which `buf.write(text, at, 'utf8')` calls after checking its
 * arguments: a tenth of the archiver's time went to those checks, once per line (profiled on
 * 1M lines). Present on every Buffer since Node's first releases; @types/node does not declare it.
 */
type Utf8Writable = Buffer & { utf8Write(text: string, offset: number): number };

/**
 * Lines as UTF-8, each followed by a newline, written line by line into one buffer: three to
 * four times faster than joining them into one string and encoding that (measured on 1M
 * generated lines), and nothing is left for the stream to encode. A line that came as bytes is
 * copied as it is. Sized for ASCII, with room for the longest line in three bytes a character;
 * grown in the rare case that is not enough.
 */
export function encodeLines(lines: readonly RawValue[]): Buffer {
  let chars = 0;
  let longest = 0;
  for (const line of lines) {
    chars += line.length;
    if (line.length > longest) longest = line.length;
  }
  let buf = Buffer.allocUnsafe(chars + lines.length + 2 * longest);
  let at = 0;
  for (const line of lines) {
    const most = typeof line === 'string' ? 3 * line.length : line.length;
    if (buf.length - at < most + 1) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * buf.length, at + most + 1));
      buf.copy(bigger, 0, 0, at);
      buf = bigger;
    }
    if (typeof line === 'string') {
      at += (buf as Utf8Writable).utf8Write(line, at);
    } else {
      // Buffer's copy, not TypedArray's set: a third less time on log lines of ~270 bytes
      // (0.21 against 0.31 µs a line, 300,000 lines in 10,000-line chunks), the call's own
      // cost being most of it at that size.
      at += line.copy(buf, at);
    }
    buf[at++] = 10;
  }
  return buf.subarray(0, at);
}

/**
 * Waits for every task, then throws the first failure: none is left running after a failure,
 * so a restart never races a roll still renaming files.
 */
async function settleAll(tasks: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((r) => r.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
}

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

/** What became of a roll: in the lake, given up as stale, or dropped with its partition. */
export type RollOutcome = 'published' | 'stale' | 'dropped';

export interface LakeWriterOptions {
  /** Names this writer's drafts under `_tmp/`; random when absent. */
  readonly writer?: string;
  /** Whether the partition is still this writer's: a roll of one that is not is dropped. */
  readonly owns?: (partition: number) => boolean;
  /** A roll whose first offset someone else stored: nothing of it was published. */
  readonly onStale?: (roll: Roll) => void;
  /** Replaces the claim-based publish (lab 04): no claim is taken, so one writer per group only. */
  readonly publish?: PublishRoll;
}

/** Lines in a roll's files. */
export function linesOf(roll: Roll): number {
  let lines = 0;
  for (const f of roll.files) lines += f.file.lines;
  return lines;
}

/** A fresh writer tag: letters and digits, unique enough among the members of a group. */
export function newWriterTag(): string {
  return randomBytes(6).toString('hex');
}

export class LakeWriter {
  private readonly writers = new Map<OpenFile, FileStream>();
  /**
   * Each file's first stream error, kept from the moment it happens: a store may fail a write
   * between two drains (a full disk, HDFS gone, the file deleted by a member recovering its
   * partition), when nobody waits on the stream, and an 'error' event without a listener would
   * end the process instead of the run. The file's next drain or its roll looks at it.
   */
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
    line: RawValue,
    now: number,
  ): Promise<RollOutcome | null> | undefined {
    if (this.roller.add(partition, offset, line, now)) return this.rollPartition(partition);
    return undefined;
  }

  /**
   * Hands every open file's pending lines to its stream, all files at once: on HDFS each new
   * file is a NameNode round trip, which one file after the other made the archiver wait for
   * in turn.
   */
  async drainAll(): Promise<void> {
    await settleAll([...this.roller.openFiles()].map((f) => this.drain(f)));
  }

  /** Rolls the partitions that are due, all at once (each partition's steps stay in order). */
  async rollDue(now: number): Promise<void> {
    await settleAll(this.roller.due(now).map((p) => this.rollPartition(p)));
  }

  async rollAll(): Promise<void> {
    await settleAll(this.roller.openPartitions().map((p) => this.rollPartition(p)));
  }

  /** After a failure: close the open streams, leave `_tmp/` for the next start to discard. */
  destroy(): void {
    for (const out of this.writers.values()) out.input.destroy();
    this.writers.clear();
  }

  private async drain(file: OpenFile): Promise<void> {
    if (file.pending.length === 0) return;
    const failed = this.broken.get(file);
    if (failed !== undefined) {
      // An outage, or a file still there: a failure that stops us now. A file gone may have
      // been deleted by a member recovering its partition: its roll decides (see endFiles).
      if (isStoreOutage(failed) || (await this.store.stat(file.tmpPath)) !== null) throw failed;
      file.pending = [];
      return;
    }
    let stream = this.writers.get(file);
    if (stream === undefined) {
      stream = await this.open(file);
      this.writers.set(file, stream);
    }
    const out = stream.input;
    const bytes = encodeLines(file.pending);
    file.pending = [];
    // Not a wait at every write: the store writes what it holds while the next lines are read
    // and routed, and a file waits only once it holds more than MAX_BUFFERED unwritten bytes.
    if (!out.write(bytes) && out.writableLength > MAX_BUFFERED) await once(out, 'drain');
  }

  private async open(file: OpenFile): Promise<FileStream> {
    const out = await this.store.create(file.tmpPath, { overwrite: true });
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
      if (!this.broken.has(file)) this.broken.set(file, err);
    });
    return { input, stored };
  }

  /**
   * Ends a roll's streams. True when one of its files failed because it is no longer there and
   * the lake holds the roll's first offset: a member recovering the partition deleted it, which
   * it does only to files below the offsets the lake holds (roll-claim.ts), so the roll is stale.
   * Any other failure is thrown: an outage, a full disk, a file that never came to be.
   */
  private async endFiles(roll: Roll): Promise<boolean> {
    // All of the roll's files at once: each end waits for its DataNode to store the file.
    await settleAll(roll.files.map((f) => this.endFile(f.file)));
    let lost: Error | null = null;
    for (const f of roll.files) {
      const err = this.broken.get(f.file);
      if (err === undefined) continue;
      this.broken.delete(f.file);
      if (isStoreOutage(err) || (await this.store.stat(f.tmpPath)) !== null) throw err;
      lost ??= err;
    }
    if (lost !== null && !(await storedBefore(this.store, this.topic, roll))) throw lost;
    return lost !== null;
  }

  /** Hands a file its last lines and ends its stream; a failure is kept in `broken`. */
  private async endFile(file: OpenFile): Promise<void> {
    await this.drain(file);
    const out = this.writers.get(file);
    this.writers.delete(file);
    if (out === undefined || this.broken.has(file)) {
      out?.input.destroy();
      return;
    }
    out.input.end();
    await out.stored.catch((err: Error) => {
      if (!this.broken.has(file)) this.broken.set(file, err);
    });
  }

  /**
   * Closes a partition's files without publishing them (it was revoked): their `_tmp/` files go.
   * Returns how many lines they held.
   * Call it between rolls, never beside one (run-archiver.ts acts on a revoke only once every
   * roll it started has settled); a roll the revoke caught mid-way is finished under its claim
   * or found stale there.
   */
  async dropPartition(partition: number): Promise<number> {
    const roll = this.roller.roll(partition);
    if (roll === null) return 0;
    await this.discard(roll);
    return linesOf(roll);
  }

  private async discard(roll: Roll): Promise<void> {
    for (const f of roll.files) {
      this.writers.get(f.file)?.input.destroy();
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
    // The claim's draft is written beside the files' ends, not after them (roll-claim.ts).
    const drafted =
      this.options.publish === undefined
        ? writeDraft(this.store, this.topic, roll, this.writer)
        : undefined;
    // Handled at once, so a failure while the files end is no unhandled rejection.
    drafted?.catch(() => undefined);
    try {
      return await this.publishRoll(roll, drafted);
    } catch (err) {
      // Nothing is left running after a failure; the draft is no claim, recovery sweeps it.
      await drafted?.catch(() => undefined);
      throw err;
    }
  }

  /** Ends a roll's files and publishes them; `drafted` is its claim's draft, under way. */
  private async publishRoll(roll: Roll, drafted: Promise<void> | undefined): Promise<RollOutcome> {
    const { partition } = roll;
    const vanished = await this.endFiles(roll);
    if (vanished) await this.discard(roll);
    const rolled = () => {
      this.files += roll.files.length;
      this.rolls++;
    };
    if (!vanished && this.options.publish !== undefined) {
      await this.options.publish(this.store, this.topic, roll, async () => {
        rolled();
        await this.onRolled(roll);
      });
      // Leftovers of a killed run below what the lake holds: recovery leaves those at or above
      // it, so each roll sweeps them as the claim path does.
      await deleteBelow(this.store, this.topic, new Map([[partition, roll.nextOffset]]));
      return 'published';
    }
    if (vanished) {
      await drafted?.catch(() => undefined);
      await this.store.delete(draftPath(this.topic, roll, this.writer), { missingOk: true });
    }
    if (
      vanished ||
      (await publishClaimed(this.store, this.topic, roll, this.writer, drafted)) === 'stale'
    ) {
      this.options.onStale?.(roll);
      return 'stale';
    }
    rolled();
    // The sweep and the commit side by side: the roll's files are in place already, and the
    // sweep only deletes drafts below them, which no recovery can publish.
    await settleAll([
      deleteBelow(this.store, this.topic, new Map([[partition, roll.nextOffset]])),
      Promise.resolve(this.onRolled(roll)),
    ]);
    return 'published';
  }
}
