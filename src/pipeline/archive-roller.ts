/**
 * Which raw file each line of `weblogs.raw` goes to, and when files are closed: the pure half of
 * the archiver (run-archiver.ts does the I/O, lake-recovery.ts the restart).
 *
 * - A line goes to the hour of its own event time (UTC), parsed with the project's parser; a
 *   line that does not parse goes to the partition's dead-letter file, kept whole with its reason
 *   (the same JSON letter as on weblogs.deadletter), never dropped.
 * - One open file per (partition, hour), plus one for the partition's dead letters.
 * - A partition's files are rolled *together*: when one of them reaches the roll size, when the
 *   oldest was opened a roll interval ago, or when the watermark (the largest event time seen,
 *   less the allowed lateness) has passed the end of an hour one of them holds. Rolling them
 *   together is what keeps recovery simple: every roll of a partition covers one contiguous
 *   range of offsets, and the next roll starts right after it, so the largest `lastOffset` in
 *   the lake is exactly where to resume (Kafka Connect's HDFS sink rolls the same way).
 * - The price: when an hour closes, the file of the next hour is cut too, so an hour usually has
 *   one file more per partition than the size alone would give.
 * - A line that arrives after its hour closed opens a new file in that hour, rolled at the next
 *   check: late lines are kept, in small files.
 * - A line given as bytes (a Kafka value) is decoded only to read its time and is stored as the
 *   bytes it came as: nothing is encoded again, and the file holds exactly what the topic held.
 *   A dead letter is a new text, so it is kept as a string.
 */
import { type EventTimeReader, eventTimeOf } from '../log/event-time';
import type { Parser } from '../log/parser';
import type { Rejection } from '../log/record';
import {
  type Compression,
  deadLetterPath,
  type RawFile,
  rawFilePath,
  tmpFilePath,
} from '../storage/lake-layout';
import type { RawValue } from '../stream/broker';
import { deadLetterMessage } from '../stream/topics';

export const DEFAULT_ROLL_BYTES = 64 * 1024 * 1024;
export const DEFAULT_ROLL_INTERVAL_MS = 60_000;
export const DEFAULT_ALLOWED_LATENESS_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface RollSettings {
  readonly topic: string;
  /** A file is rolled once it holds this many bytes (it may pass it by less than one line). */
  readonly rollBytes: number;
  /** A partition's files are rolled this long after the oldest was opened. */
  readonly rollIntervalMs: number;
  /** How far behind the largest event time seen an hour is still kept open. */
  readonly allowedLatenessMs: number;
  /**
   * How closed files are stored: `gzip` names them `….log.gz` (the writer compresses; the
   * roll size still counts the lines' bytes before compression). `none` when absent.
   */
  readonly compression?: Compression;
  /** Makes the `_tmp/` names this roller's own (lake-layout's tmpFilePath); absent: shared names. */
  readonly writer?: string;
}

/** A file being written: its lines are in `pending` until the writer takes them. */
export interface OpenFile {
  readonly partition: number;
  /** Start of its event hour (epoch ms); null for the dead-letter file. */
  readonly hourStart: number | null;
  readonly firstOffset: number;
  lastOffset: number;
  bytes: number;
  lines: number;
  /** Wall-clock time it was opened, for the roll interval. */
  readonly openedAt: number;
  /**
   * Lines not yet handed to the writer, without their newlines (the writer adds them): as
   * strings, or as the bytes they came as.
   */
  pending: RawValue[];
  readonly tmpPath: string;
}

/** A closed file: where it was written and where it goes. */
export interface ClosedFile {
  readonly file: OpenFile;
  readonly tmpPath: string;
  readonly finalPath: string;
}

/** One roll of a partition: its files and the offset after the range they cover. */
export interface Roll {
  readonly partition: number;
  readonly files: readonly ClosedFile[];
  readonly nextOffset: number;
}

interface PartitionFiles {
  readonly raw: Map<number, OpenFile>;
  dead: OpenFile | null;
  lastOffset: number;
}

const TIME_OUT_OF_RANGE: Rejection = {
  kind: 'rejected',
  reason: 'bad-timestamp',
  message: 'event time is outside the years 1970–9999',
};

/** The latest event time an hour directory can name (9999-12-31T23:59:59.999Z). */
const MAX_EPOCH_MS = 253_402_300_799_999;

export class ArchiveRoller {
  private readonly partitions = new Map<number, PartitionFiles>();
  /** Lines routed to a dead-letter file so far (they did not parse, or their time is out of range). */
  deadLetters = 0;
  private maxEventTime = Number.NEGATIVE_INFINITY;
  /** The parser's verdict without its record: only the hour and the reason matter here. */
  private readonly timeOf: EventTimeReader;

  constructor(
    private readonly settings: RollSettings,
    parse: Parser,
  ) {
    this.timeOf = eventTimeOf(parse);
  }

  /** How the files it names are stored (the writer compresses to match). */
  get compression(): Compression {
    return this.settings.compression ?? 'none';
  }

  /** The largest event time seen less the allowed lateness; -Infinity before any line. */
  watermark(): number {
    return this.maxEventTime - this.settings.allowedLatenessMs;
  }

  /**
   * Routes one record's line to its file. Returns true when that file has reached the roll
   * size: the caller rolls the partition before adding more to it.
   */
  add(partition: number, offset: number, value: RawValue, now: number): boolean {
    const line = typeof value === 'string' ? value : value.toString('utf8');
    const time = this.timeOf(line);
    let text: RawValue;
    let size: number;
    let hourStart: number | null = null;
    if (typeof time !== 'number') {
      text = deadLetterMessage(line, time).value as string;
      size = text.length;
      this.deadLetters++;
    } else if (!(time >= 0 && time <= MAX_EPOCH_MS)) {
      text = deadLetterMessage(line, TIME_OUT_OF_RANGE).value as string;
      size = text.length;
      this.deadLetters++;
    } else {
      text = value;
      // A string's UTF-16 length: exact for ASCII log lines, and a roll size is a soft bound.
      size = value.length;
      hourStart = time - (time % HOUR_MS);
      if (time > this.maxEventTime) this.maxEventTime = time;
    }
    let p = this.partitions.get(partition);
    if (p === undefined) {
      p = { raw: new Map(), dead: null, lastOffset: -1 };
      this.partitions.set(partition, p);
    }
    let file = hourStart === null ? p.dead : p.raw.get(hourStart);
    if (file === undefined || file === null) {
      file = {
        partition,
        hourStart,
        firstOffset: offset,
        lastOffset: offset,
        bytes: 0,
        lines: 0,
        openedAt: now,
        pending: [],
        tmpPath: tmpFilePath(this.settings.topic, partition, offset, this.settings.writer),
      };
      if (hourStart === null) p.dead = file;
      else p.raw.set(hourStart, file);
    }
    file.lastOffset = offset;
    file.lines++;
    file.bytes += size + 1;
    file.pending.push(text);
    p.lastOffset = offset;
    return file.bytes >= this.settings.rollBytes;
  }

  /** Every open file, for the writer to take their pending lines. */
  *openFiles(): IterableIterator<OpenFile> {
    for (const p of this.partitions.values()) {
      yield* p.raw.values();
      if (p.dead !== null) yield p.dead;
    }
  }

  /** Partitions with open files. */
  openPartitions(): number[] {
    return [...this.partitions.keys()].sort((a, b) => a - b);
  }

  /** Partitions whose files must be rolled now: interval passed or an hour closed. */
  due(now: number): number[] {
    const watermark = this.watermark();
    const out: number[] = [];
    for (const [partition, p] of this.partitions) {
      let roll = false;
      for (const f of p.raw.values()) {
        if ((f.hourStart as number) + HOUR_MS <= watermark || this.expired(f, now)) roll = true;
      }
      if (p.dead !== null && this.expired(p.dead, now)) roll = true;
      if (roll) out.push(partition);
    }
    return out.sort((a, b) => a - b);
  }

  private expired(file: OpenFile, now: number): boolean {
    return now - file.openedAt >= this.settings.rollIntervalMs;
  }

  /**
   * Closes every file of a partition and says where each goes. The caller must have taken
   * their pending lines (or takes them from `files[i].file.pending`).
   */
  roll(partition: number): Roll | null {
    const p = this.partitions.get(partition);
    if (p === undefined) return null;
    this.partitions.delete(partition);
    const topic = this.settings.topic;
    const files: ClosedFile[] = [];
    const name = (f: OpenFile): RawFile => ({
      topic,
      partition,
      firstOffset: f.firstOffset,
      lastOffset: f.lastOffset,
      compression: this.compression,
    });
    for (const f of p.raw.values()) {
      files.push({
        file: f,
        tmpPath: f.tmpPath,
        finalPath: rawFilePath(name(f), f.hourStart as number),
      });
    }
    if (p.dead !== null) {
      files.push({
        file: p.dead,
        tmpPath: p.dead.tmpPath,
        finalPath: deadLetterPath(name(p.dead)),
      });
    }
    files.sort((a, b) => a.file.firstOffset - b.file.firstOffset);
    return { partition, files, nextOffset: p.lastOffset + 1 };
  }
}
