/**
 * Where things live in the lake, and what a lake path may be. Pure: no I/O, shared by every
 * Store adapter and by whatever writes or reads the lake.
 *
 *   /loglab/raw/date=2026-12-05/hour=23/weblogs.raw+3+1200+1899.log[.gz]   a closed raw file
 *   /loglab/raw/_tmp/weblogs.raw+3+1200.tmp                                being written
 *   /loglab/deadletter/weblogs.raw+3+1200+1899.log                        lines that did not parse
 *   /loglab/_sources/weblogs.raw.json                   who numbers the topic (pipeline/lake-source)
 *
 * What we decided:
 * - A lake path is absolute, already normalized, and spelt with a small character set:
 *   segments of `A-Z a-z 0-9 . _ = + -`, no empty segment, no `.` or `..`. That excludes NUL,
 *   backslashes, spaces, `%`, `?`, `#` and non-ASCII, so a path means the same thing on a local
 *   disk, in a WebHDFS URL (the `webhdfs` package pastes the path into the URL unescaped) and in
 *   a shell. A path that breaks a rule is refused, never repaired; only one trailing slash is
 *   dropped, so `ls /loglab/raw/` works.
 * - Raw files are named as Kafka Connect's HDFS sink names them: topic, partition, first and
 *   last offset (both inclusive), `+` between them. Kafka topic names cannot contain `+`, so a
 *   name splits back unambiguously, and the largest `lastOffset` of a partition tells where to
 *   resume: the lake, not the group's committed offsets, is the source of truth.
 * - The hour directory is the event time of the lines, in UTC (`date=YYYY-MM-DD/hour=HH`, Hive's
 *   partition spelling, which Hadoop tools understand).
 * - Files being written live under `_tmp/`: Hadoop's input formats skip names starting with `_`
 *   or `.`, so a MapReduce job over `/loglab/raw` never reads a half-written file. The temporary
 *   name depends only on (topic, partition, first offset): a restarted writer that starts again
 *   at the same offset overwrites its own leftover instead of leaking one per crash.
 * - Dead letters have no usable event time, so they are not split by hour.
 */
import { badInput } from '../errors';

export const LAKE_ROOT = '/loglab';
export const RAW_ROOT = '/loglab/raw';
export const TMP_DIR = '/loglab/raw/_tmp';
export const DEADLETTER_ROOT = '/loglab/deadletter';

/** HDFS limits a path component to 255 bytes by default (dfs.namenode.fs-limits.max-component-length). */
export const MAX_SEGMENT_LENGTH = 255;
/** Kafka's own limit on a topic name. */
export const MAX_TOPIC_LENGTH = 249;

export type PathRejection =
  | 'empty'
  | 'not-absolute'
  | 'empty-segment'
  | 'dot-segment'
  | 'bad-character'
  | 'segment-too-long';

const PATH_REASONS: Readonly<Record<PathRejection, string>> = Object.freeze({
  empty: 'is empty',
  'not-absolute': 'must start with /',
  'empty-segment': 'has an empty segment (//)',
  'dot-segment': 'has a . or .. segment',
  'bad-character': 'may only use letters, digits and . _ = + - between slashes',
  'segment-too-long': `has a segment longer than ${MAX_SEGMENT_LENGTH} characters`,
});

export type PathCheck =
  | { readonly kind: 'valid'; readonly path: string; readonly segments: readonly string[] }
  | { readonly kind: 'invalid'; readonly reason: PathRejection; readonly message: string };

export function isValidPath(check: PathCheck): check is Extract<PathCheck, { kind: 'valid' }> {
  return check.kind === 'valid';
}

function segmentChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2e || // .
    c === 0x5f || // _
    c === 0x3d || // =
    c === 0x2b || // +
    c === 0x2d // -
  );
}

function invalid(path: string, reason: PathRejection): PathCheck {
  // JSON.stringify shows control characters and quotes escaped in the message.
  return {
    kind: 'invalid',
    reason,
    message: `lake path ${JSON.stringify(path)} ${PATH_REASONS[reason]}`,
  };
}

/** Checks a lake path against the rules above; `path` in the result is the normalized form. */
export function checkLakePath(path: string): PathCheck {
  if (path.length === 0) return invalid(path, 'empty');
  if (path.charCodeAt(0) !== 0x2f) return invalid(path, 'not-absolute');
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed === '/') return { kind: 'valid', path: '/', segments: [] };
  const segments = trimmed.slice(1).split('/');
  for (const s of segments) {
    if (s.length === 0) return invalid(path, 'empty-segment');
    if (s === '.' || s === '..') return invalid(path, 'dot-segment');
    if (s.length > MAX_SEGMENT_LENGTH) return invalid(path, 'segment-too-long');
    for (let i = 0; i < s.length; i++) {
      if (!segmentChar(s.charCodeAt(i))) return invalid(path, 'bad-character');
    }
  }
  return { kind: 'valid', path: trimmed, segments };
}

/** The normalized path, or a BAD_INPUT error saying which rule it broke. */
export function lakePath(path: string): string {
  const check = checkLakePath(path);
  if (!isValidPath(check)) throw badInput(check.message, { path, reason: check.reason });
  return check.path;
}

/** `parent` joined with plain names (no slashes in them), validated. */
export function joinLake(parent: string, ...names: string[]): string {
  for (const n of names) {
    if (n.includes('/')) throw badInput(`lake name ${JSON.stringify(n)} must not contain /`);
  }
  const base = lakePath(parent);
  return lakePath(base === '/' ? `/${names.join('/')}` : [base, ...names].join('/'));
}

/** The parent directory of a valid path; null for the root. */
export function parentOf(path: string): string | null {
  const p = lakePath(path);
  if (p === '/') return null;
  const cut = p.lastIndexOf('/');
  return cut === 0 ? '/' : p.slice(0, cut);
}

/** The last segment of a valid path; "" for the root. */
export function baseName(path: string): string {
  const p = lakePath(path);
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Hadoop's input formats skip these names: `_tmp`, `_SUCCESS`, `.crc` files. */
export function isHiddenName(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.');
}

// ---------------------------------------------------------------------------------------------
// Raw files

export type Compression = 'none' | 'gzip';

export interface RawFile {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the first line in the file. */
  readonly firstOffset: number;
  /** Offset of the last line in the file (inclusive): the next file starts at lastOffset + 1. */
  readonly lastOffset: number;
  readonly compression: Compression;
}

/** Latest instant whose ISO form still has a four-digit year (9999-12-31T23:59:59.999Z). */
const MAX_EPOCH_MS = 253_402_300_799_999;

/** `date=YYYY-MM-DD/hour=HH` of an event time (epoch ms), in UTC. */
export function hourPartition(epochMs: number): string {
  if (!Number.isInteger(epochMs) || epochMs < 0 || epochMs > MAX_EPOCH_MS) {
    throw badInput(`event time ${epochMs} is not an epoch millisecond in years 1970–9999`);
  }
  const iso = new Date(epochMs).toISOString();
  return `date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/** The hour directory of an event time: `/loglab/raw/date=…/hour=…`. */
export function rawHourDir(epochMs: number): string {
  return `${RAW_ROOT}/${hourPartition(epochMs)}`;
}

/** BAD_INPUT when `topic` is not a name Kafka takes, the first part of every raw file name. */
export function checkTopic(topic: string): void {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') {
    throw badInput(`topic ${JSON.stringify(topic)} is not a Kafka topic name`);
  }
}

/**
 * The longest topic name a lake can hold: a file name (one path segment, 255 bytes on the file
 * systems and HDFS alike) is the topic and up to 52 more characters: `+<partition>+<first>+<last>
 * .log.gz` with offsets of up to 16 digits, a little less for the `_tmp/` names. Kafka allows 249.
 */
export const MAX_LAKE_TOPIC_LENGTH = 200;

/** checkTopic, and short enough to name the lake's files (BAD_INPUT otherwise). */
export function checkLakeTopic(topic: string): void {
  checkTopic(topic);
  if (topic.length > MAX_LAKE_TOPIC_LENGTH) {
    throw badInput(
      `topic names of more than ${MAX_LAKE_TOPIC_LENGTH} characters cannot name files in the lake (this one has ${topic.length}; a file name holds 255 with the partition and offsets): use a topic name of at most ${MAX_LAKE_TOPIC_LENGTH}`,
    );
  }
}

function checkOffsets(partition: number, first: number, last: number): void {
  if (!Number.isSafeInteger(partition) || partition < 0) {
    throw badInput(`partition ${partition} is not a non-negative integer`);
  }
  if (!Number.isSafeInteger(first) || first < 0 || !Number.isSafeInteger(last) || last < first) {
    throw badInput(`offsets ${first}..${last} are not a non-empty range of non-negative integers`);
  }
}

/** `<topic>+<partition>+<firstOffset>+<lastOffset>.log` (`.log.gz` when gzipped). */
export function rawFileName(file: RawFile): string {
  checkTopic(file.topic);
  checkOffsets(file.partition, file.firstOffset, file.lastOffset);
  const ext = file.compression === 'gzip' ? '.log.gz' : '.log';
  return `${file.topic}+${file.partition}+${file.firstOffset}+${file.lastOffset}${ext}`;
}

/** Where a closed raw file whose lines have this event hour goes. */
export function rawFilePath(file: RawFile, epochMs: number): string {
  return `${rawHourDir(epochMs)}/${rawFileName(file)}`;
}

/**
 * Where a raw file is written before it is renamed into place. With `writer` (letters and
 * digits), the name is that writer's alone: `<topic>+<partition>+<firstOffset>.<writer>.tmp`, so
 * two archivers that briefly read the same partition never write into one file.
 */
export function tmpFilePath(
  topic: string,
  partition: number,
  firstOffset: number,
  writer?: string,
): string {
  checkTopic(topic);
  checkOffsets(partition, firstOffset, firstOffset);
  if (writer !== undefined && !/^[A-Za-z0-9]{1,32}$/.test(writer)) {
    throw badInput(`writer tag ${JSON.stringify(writer)} must be 1 to 32 letters or digits`);
  }
  const tag = writer === undefined ? '' : `.${writer}`;
  return `${TMP_DIR}/${topic}+${partition}+${firstOffset}${tag}.tmp`;
}

/**
 * The partition and first offset in the name of anything of `topic` under `_tmp/` (a file being
 * written, a roll's manifest or claim): `<topic>+<partition>+<firstOffset>` then a dot; null for
 * another topic's name or anything else.
 */
export function parseTmpName(
  name: string,
  topic: string,
): { readonly partition: number; readonly firstOffset: number } | null {
  if (!name.startsWith(`${topic}+`)) return null;
  const rest = name.slice(topic.length + 1);
  const plus = rest.indexOf('+');
  const dot = rest.indexOf('.', plus + 1);
  if (plus < 0 || dot < 0) return null;
  const partition = plainInteger(rest.slice(0, plus));
  const firstOffset = plainInteger(rest.slice(plus + 1, dot));
  if (partition < 0 || firstOffset < 0) return null;
  return { partition, firstOffset };
}

/** Where the dead letters of one offset range of a partition go. */
export function deadLetterPath(file: RawFile): string {
  return `${DEADLETTER_ROOT}/${rawFileName(file)}`;
}

export type NameRejection =
  | 'not-a-log-file'
  | 'wrong-field-count'
  | 'bad-topic'
  | 'bad-partition'
  | 'bad-offset'
  | 'offsets-reversed';

export type ParsedName =
  | { readonly kind: 'raw-file'; readonly file: RawFile }
  | { readonly kind: 'not-raw'; readonly reason: NameRejection };

export function isRawFile(parsed: ParsedName): parsed is Extract<ParsedName, { kind: 'raw-file' }> {
  return parsed.kind === 'raw-file';
}

/** A decimal integer without sign or leading zeros, within the safe range; -1 otherwise. */
function plainInteger(text: string): number {
  if (text.length === 0 || text.length > 16) return -1;
  if (text.length > 1 && text.charCodeAt(0) === 0x30) return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
  }
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : -1;
}

/**
 * Reads a raw file's name back (the last segment only). Anything that `rawFileName` would not
 * have written is `not-raw` with the reason, so a stray file in the lake cannot move the
 * recovered offsets.
 */
export function parseRawFileName(name: string): ParsedName {
  let compression: Compression;
  let stem: string;
  if (name.endsWith('.log.gz')) {
    compression = 'gzip';
    stem = name.slice(0, -'.log.gz'.length);
  } else if (name.endsWith('.log')) {
    compression = 'none';
    stem = name.slice(0, -'.log'.length);
  } else {
    return { kind: 'not-raw', reason: 'not-a-log-file' };
  }
  const fields = stem.split('+');
  if (fields.length !== 4) return { kind: 'not-raw', reason: 'wrong-field-count' };
  const [topic, p, f, l] = fields;
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') {
    return { kind: 'not-raw', reason: 'bad-topic' };
  }
  const partition = plainInteger(p);
  if (partition < 0) return { kind: 'not-raw', reason: 'bad-partition' };
  const firstOffset = plainInteger(f);
  const lastOffset = plainInteger(l);
  if (firstOffset < 0 || lastOffset < 0) return { kind: 'not-raw', reason: 'bad-offset' };
  if (lastOffset < firstOffset) return { kind: 'not-raw', reason: 'offsets-reversed' };
  return { kind: 'raw-file', file: { topic, partition, firstOffset, lastOffset, compression } };
}
