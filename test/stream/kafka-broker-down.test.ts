import { createServer } from 'node:net';
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isLoglabError } from '../../src/errors';
import { createKafkaBroker, kafkaAnswers } from '../../src/stream/kafka-broker';
import { isCoordinatorStarting, isRebalanceError, kafkaError } from '../../src/stream/kafka-errors';
import { protocolError } from './protocol-error';

/** A loopback port nobody listens on: bound, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('kafka adapter without a broker', () => {
  it('gives up after its retries with one SERVICE_DOWN error naming the address, and logs nothing', async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const stderr = vi.spyOn(process.stderr, 'write');
    const broker = createKafkaBroker({ brokers: [address], retries: 1, initialRetryMs: 20 });
    const failure = await broker.produce('weblogs.raw', [{ key: 'k', value: 'v' }]).catch((e) => e);
    expect(isLoglabError(failure)).toBe(true);
    expect([failure.code, failure.retriable, failure.message]).toEqual([
      'SERVICE_DOWN',
      true,
      `no Kafka broker answers at ${address} (ECONNREFUSED); start one with \`npm run cluster -- up\`, or use --engine embedded`,
    ]);
    await expect(broker.listTopics()).rejects.toMatchObject({ code: 'SERVICE_DOWN' });
    await expect(broker.subscribe({ groupId: 'g', topics: ['t'] })).rejects.toMatchObject({
      code: 'SERVICE_DOWN',
    });
    await broker.close();
    expect(stderr).not.toHaveBeenCalled();
    expect(await kafkaAnswers([address], 500)).toBe(false);
  });

  it("passes kafkajs's own log lines on only in debug mode", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const broker = createKafkaBroker({
      brokers: [`127.0.0.1:${port}`],
      retries: 0,
      debug: true,
      log: (line) => lines.push(line),
    });
    await expect(broker.listTopics()).rejects.toMatchObject({ code: 'SERVICE_DOWN' });
    await broker.close();
    expect(lines.some((l) => l.startsWith('kafkajs ERROR ') && l.includes('ECONNREFUSED'))).toBe(
      true,
    );
  });
});

describe('kafkajs errors as LoglabErrors', () => {
  const address = '127.0.0.1:9092';

  it('finds a refused connection under retry wrappers', () => {
    const inner = new KafkaJSConnectionError(
      'Connection error: connect ECONNREFUSED 10.1.1.1:9092',
      {
        broker: '10.1.1.1:9092',
        code: 'ECONNREFUSED',
      },
    );
    // kafkajs keeps the inner error as `cause` in its retry wrapper.
    const outer = new KafkaJSNumberOfRetriesExceeded(inner, { retryCount: 4, retryTime: 3000 });
    const e = kafkaError(outer, address, { topic: 'weblogs.raw' });
    expect([e.code, e.retriable, e.message, e.context]).toEqual([
      'SERVICE_DOWN',
      true,
      'no Kafka broker answers at 10.1.1.1:9092 (ECONNREFUSED); start one with `npm run cluster -- up`, or use --engine embedded',
      { broker: '10.1.1.1:9092', topic: 'weblogs.raw' },
    ]);
  });

  it('maps unknown topics, oversized messages and rebalances', () => {
    const unknown = protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true);
    expect(
      kafkaError(
        new KafkaJSNumberOfRetriesExceeded(unknown, { retryCount: 1, retryTime: 1 }),
        address,
        { topic: 'x' },
      ),
    ).toMatchObject({
      code: 'NOT_FOUND',
      message: 'topic "x" does not exist on the Kafka broker at 127.0.0.1:9092',
    });
    const tooLarge = protocolError('MESSAGE_TOO_LARGE', 10, false);
    expect(kafkaError(tooLarge, address)).toMatchObject({ code: 'BAD_INPUT', retriable: false });
    const rebalancing = protocolError('REBALANCE_IN_PROGRESS', 27, false);
    expect(
      isRebalanceError(
        new KafkaJSNumberOfRetriesExceeded(rebalancing, { retryCount: 1, retryTime: 1 }),
      ),
    ).toBe(true);
    expect(isRebalanceError(tooLarge)).toBe(false);
    // A coordinator still loading the group's offsets, wrapped as kafkajs's runner and then the
    // adapter wrap it: the join is tried again; a rebalance or another refusal is not that.
    const loading = protocolError('GROUP_LOAD_IN_PROGRESS', 14, true);
    const wrapped = kafkaError(
      new KafkaJSNumberOfRetriesExceeded(loading, { retryCount: 5, retryTime: 1 }),
      address,
    );
    expect(isCoordinatorStarting(wrapped)).toBe(true);
    expect(isCoordinatorStarting(protocolError('GROUP_COORDINATOR_NOT_AVAILABLE', 15, true))).toBe(
      true,
    );
    // What a broker restarted a moment ago answers until it leads the group's offsets again.
    const notCoordinator = protocolError('NOT_COORDINATOR', 16, true);
    expect(isCoordinatorStarting(notCoordinator)).toBe(true);
    expect(isRebalanceError(notCoordinator)).toBe(true);
    // As a member's join crashes with it after a broker restart: kafkajs wraps the refusal in a
    // plain KafkaJSError (its message kept, its type dropped), then in its retrier's error.
    const refusal = new KafkaJSProtocolError({
      name: 'KafkaJSProtocolError',
      message: 'This is not the correct coordinator for this group',
      type: 'NOT_COORDINATOR_FOR_GROUP',
      code: 16,
      retriable: true,
    } as Error);
    const joinCrash = kafkaError(
      new KafkaJSNumberOfRetriesExceeded(new KafkaJSError(refusal), {
        retryCount: 5,
        retryTime: 1,
      }),
      address,
    );
    expect(isCoordinatorStarting(joinCrash)).toBe(true);
    expect(isCoordinatorStarting(new KafkaJSError('This is not the group you want'))).toBe(false);
    expect(isCoordinatorStarting(rebalancing)).toBe(false);
    expect(isCoordinatorStarting(tooLarge)).toBe(false);
    expect(kafkaError(new Error('boom'), address)).toMatchObject({
      code: 'INTERNAL',
      message: 'the Kafka broker at 127.0.0.1:9092 failed: boom',
      retriable: false,
    });
  });
});
