import { describe, expect, it } from 'vitest';
import { isLoglabError } from '../../src/errors';
import {
  baseName,
  checkLakePath,
  deadLetterPath,
  hourPartition,
  isHiddenName,
  joinLake,
  lakePath,
  parentOf,
  parseRawFileName,
  type RawFile,
  rawFileName,
  rawFilePath,
  tmpFilePath,
} from '../../src/storage/lake-layout';

const FILE: RawFile = {
  topic: 'weblogs.raw',
  partition: 3,
  firstOffset: 1200,
  lastOffset: 1899,
  compression: 'none',
};
// 2026-12-05T23:59:59.999Z: the last millisecond of an hour.
const T = Date.UTC(2026, 11, 5, 23, 59, 59, 999);

describe('lake paths', () => {
  it('accepts normalized absolute paths and drops one trailing slash', () => {
    expect(checkLakePath('/loglab/raw/date=2026-12-05/hour=23/a+0+1+2.log')).toEqual({
      kind: 'valid',
      path: '/loglab/raw/date=2026-12-05/hour=23/a+0+1+2.log',
      segments: ['loglab', 'raw', 'date=2026-12-05', 'hour=23', 'a+0+1+2.log'],
    });
    expect(lakePath('/loglab/raw/')).toBe('/loglab/raw');
    expect(lakePath('/')).toBe('/');
    expect(lakePath('/_tmp/.x')).toBe('/_tmp/.x');
  });

  it.each([
    ['', 'empty'],
    ['loglab/raw', 'not-absolute'],
    ['./loglab', 'not-absolute'],
    ['//etc', 'empty-segment'],
    ['/loglab//raw', 'empty-segment'],
    ['/loglab/raw//', 'empty-segment'],
    ['/loglab/../etc/passwd', 'dot-segment'],
    ['/..', 'dot-segment'],
    ['/loglab/./raw', 'dot-segment'],
    ['/loglab/raw/..', 'dot-segment'],
    ['/loglab/a\0b', 'bad-character'],
    ['/loglab\\..\\etc', 'bad-character'],
    ['/loglab/a b', 'bad-character'],
    ['/loglab/a%2F..', 'bad-character'],
    ['/loglab/a?op=DELETE', 'bad-character'],
    ['/loglab/a#b', 'bad-character'],
    ['/loglab/caf\u00e9', 'bad-character'],
    ['/loglab/a\nb', 'bad-character'],
    [`/loglab/${'x'.repeat(256)}`, 'segment-too-long'],
  ])('refuses %j (%s)', (path, reason) => {
    const check = checkLakePath(path);
    expect(check).toMatchObject({ kind: 'invalid', reason });
  });

  it('says which rule a path broke, with control characters escaped', () => {
    expect(() => lakePath('/a/../b')).toThrow('lake path "/a/../b" has a . or .. segment');
    expect(() => lakePath('/a\0b')).toThrow(
      'lake path "/a\\u0000b" may only use letters, digits and . _ = + - between slashes',
    );
    try {
      lakePath('x');
    } catch (err) {
      expect(isLoglabError(err) && err.code).toBe('BAD_INPUT');
      expect(isLoglabError(err) && err.context).toEqual({ path: 'x', reason: 'not-absolute' });
    }
  });

  it('accepts a 255-character segment', () => {
    expect(lakePath(`/${'x'.repeat(255)}`)).toBe(`/${'x'.repeat(255)}`);
  });

  it('joins, splits and names paths', () => {
    expect(joinLake('/loglab', 'raw', '_tmp')).toBe('/loglab/raw/_tmp');
    expect(joinLake('/', 'loglab')).toBe('/loglab');
    expect(() => joinLake('/loglab', '../etc')).toThrow('must not contain /');
    expect(() => joinLake('/loglab', '..')).toThrow('has a . or .. segment');
    expect(parentOf('/loglab/raw/x.log')).toBe('/loglab/raw');
    expect(parentOf('/loglab')).toBe('/');
    expect(parentOf('/')).toBeNull();
    expect(baseName('/loglab/raw/x.log')).toBe('x.log');
    expect(baseName('/')).toBe('');
    expect([isHiddenName('_tmp'), isHiddenName('.crc'), isHiddenName('a_b')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe('raw layout', () => {
  it('names the hour of the event time in UTC', () => {
    expect(hourPartition(T)).toBe('date=2026-12-05/hour=23');
    expect(hourPartition(T + 1)).toBe('date=2026-12-06/hour=00');
    expect(hourPartition(0)).toBe('date=1970-01-01/hour=00');
    expect(() => hourPartition(-1)).toThrow('is not an epoch millisecond');
    expect(() => hourPartition(Number.NaN)).toThrow('is not an epoch millisecond');
    expect(() => hourPartition(253_402_300_800_000)).toThrow('is not an epoch millisecond');
  });

  it('writes raw, temporary and dead-letter paths', () => {
    expect(rawFileName(FILE)).toBe('weblogs.raw+3+1200+1899.log');
    expect(rawFileName({ ...FILE, compression: 'gzip' })).toBe('weblogs.raw+3+1200+1899.log.gz');
    expect(rawFilePath(FILE, T)).toBe(
      '/loglab/raw/date=2026-12-05/hour=23/weblogs.raw+3+1200+1899.log',
    );
    expect(tmpFilePath('weblogs.raw', 3, 1200)).toBe('/loglab/raw/_tmp/weblogs.raw+3+1200.tmp');
    expect(deadLetterPath(FILE)).toBe('/loglab/deadletter/weblogs.raw+3+1200+1899.log');
    expect(rawFileName({ ...FILE, firstOffset: 7, lastOffset: 7 })).toBe('weblogs.raw+3+7+7.log');
  });

  it('refuses names that could not be read back or would escape a directory', () => {
    expect(() => rawFileName({ ...FILE, topic: '../x' })).toThrow('is not a Kafka topic name');
    expect(() => rawFileName({ ...FILE, topic: 'a+b' })).toThrow('is not a Kafka topic name');
    expect(() => rawFileName({ ...FILE, topic: '..' })).toThrow('is not a Kafka topic name');
    expect(() => rawFileName({ ...FILE, topic: '' })).toThrow('is not a Kafka topic name');
    expect(() => rawFileName({ ...FILE, partition: -1 })).toThrow('partition -1');
    expect(() => rawFileName({ ...FILE, lastOffset: 1199 })).toThrow('offsets 1200..1199');
    expect(() => rawFileName({ ...FILE, firstOffset: 0.5 })).toThrow('offsets 0.5..1899');
    expect(() => tmpFilePath('a/b', 0, 0)).toThrow('is not a Kafka topic name');
  });

  it('reads a name back to what wrote it', () => {
    for (const file of [FILE, { ...FILE, compression: 'gzip' as const }]) {
      expect(parseRawFileName(rawFileName(file))).toEqual({ kind: 'raw-file', file });
    }
    expect(parseRawFileName('t+0+0+9007199254740991.log')).toEqual({
      kind: 'raw-file',
      file: {
        topic: 't',
        partition: 0,
        firstOffset: 0,
        lastOffset: 9_007_199_254_740_991,
        compression: 'none',
      },
    });
  });

  it.each([
    ['weblogs.raw+3+1200+1899.txt', 'not-a-log-file'],
    ['weblogs.raw+3+1200.tmp', 'not-a-log-file'],
    ['weblogs.raw+3+1200+1899.log.gz.tmp', 'not-a-log-file'],
    ['weblogs.raw+3+1200.log', 'wrong-field-count'],
    ['a+b+3+1200+1899.log', 'wrong-field-count'],
    ['+3+1200+1899.log', 'bad-topic'],
    ['..+3+1200+1899.log', 'bad-topic'],
    ['we blogs+3+1200+1899.log', 'bad-topic'],
    ['t+-3+1200+1899.log', 'bad-partition'],
    ['t+03+1200+1899.log', 'bad-partition'],
    ['t+3.0+1200+1899.log', 'bad-partition'],
    ['t+3+1e3+1899.log', 'bad-offset'],
    ['t+3+1200+.log', 'bad-offset'],
    ['t+3+1200+9007199254740992.log', 'bad-offset'],
    ['t+3+1200+0x10.log', 'bad-offset'],
    ['t+3+1200+1199.log', 'offsets-reversed'],
  ])('does not take %j for a raw file (%s)', (name, reason) => {
    expect(parseRawFileName(name)).toEqual({ kind: 'not-raw', reason });
  });
});
