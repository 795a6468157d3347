import { describe, expect, it } from 'vitest';
import type { Rejection } from '../../src/log/record';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import {
  DEADLETTER_TOPIC,
  deadLetterMessage,
  ensureStandardTopics,
  parseDeadLetter,
  standardTopics,
} from '../../src/stream/topics';

const badTime: Rejection = {
  kind: 'rejected',
  reason: 'bad-timestamp',
  message: 'the timestamp is not [dd/Mon/yyyy:HH:MM:SS +hhmm]',
};
const line = '10.0.0.1 - - [yesterday] "GET / HTTP/1.1" 200 12';

describe('dead letters', () => {
  it('are JSON with reason, message, the line as read, and where it came from', () => {
    const m = deadLetterMessage(line, badTime, {
      key: '10.0.0.1',
      source: { topic: 'weblogs.raw', partition: 4, offset: 1234 },
      timestamp: 5,
    });
    expect(m).toEqual({
      key: '10.0.0.1',
      timestamp: 5,
      value:
        '{"reason":"bad-timestamp","message":"the timestamp is not [dd/Mon/yyyy:HH:MM:SS +hhmm]",' +
        '"line":"10.0.0.1 - - [yesterday] \\"GET / HTTP/1.1\\" 200 12",' +
        '"source":{"topic":"weblogs.raw","partition":4,"offset":1234}}',
    });
    expect(parseDeadLetter(m.value)).toEqual({
      reason: 'bad-timestamp',
      message: badTime.message,
      line,
      source: { topic: 'weblogs.raw', partition: 4, offset: 1234 },
    });
    expect(
      deadLetterMessage('', {
        kind: 'rejected',
        reason: 'empty-line',
        message: 'the line is empty',
      }),
    ).toEqual({
      key: null,
      value: '{"reason":"empty-line","message":"the line is empty","line":""}',
    });
  });

  it('refuse values that are not dead letters', () => {
    expect(() => parseDeadLetter('not json')).toThrow('dead letter is not JSON');
    expect(() => parseDeadLetter('{"reason":"made-up","message":"m","line":"l"}')).toThrow(
      'dead letter lacks a string "line", "message" or a known "reason"',
    );
    expect(() => parseDeadLetter('[1]')).toThrow('dead letter lacks');
    expect(parseDeadLetter(Buffer.from('{"reason":"bad-json","message":"m","line":"{"}'))).toEqual({
      reason: 'bad-json',
      message: 'm',
      line: '{',
    });
  });

  it('travel through weblogs.deadletter unchanged', async () => {
    const broker = createMemoryBroker();
    expect(standardTopics()).toEqual([
      { name: 'weblogs.raw', partitions: 6 },
      { name: 'weblogs.alerts', partitions: 1 },
      { name: 'weblogs.deadletter', partitions: 1 },
    ]);
    expect(await ensureStandardTopics(broker)).toEqual({
      created: ['weblogs.raw', 'weblogs.alerts', 'weblogs.deadletter'],
      existing: [],
    });
    await broker.produce(DEADLETTER_TOPIC, [deadLetterMessage(line, badTime, { key: '10.0.0.1' })]);
    const c = await broker.subscribe({
      groupId: 'dlq',
      topics: [DEADLETTER_TOPIC],
      fromBeginning: true,
    });
    const r = await c.poll({ maxWaitMs: 0 });
    const rec = r.kind === 'records' ? r.batches[0].records[0] : null;
    expect(rec && [rec.key, parseDeadLetter(rec.value)]).toEqual([
      '10.0.0.1',
      { reason: 'bad-timestamp', message: badTime.message, line },
    ]);
  });
});
