/** The way out of a Kafka outage each command names: demo and archive have no --engine embedded. */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { withCommandHint } from '../../src/cli/broker-hint';
import { withIo } from '../../src/cli/context';
import { brokerOutageOptions } from '../../src/cli/streaming';
import { kafkaError } from '../../src/stream/kafka-errors';

/** What kafkajs says when nothing listens at the broker's port. */
function refused(): Error {
  const err = new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
  err.name = 'KafkaJSConnectionError';
  return Object.assign(err, { code: 'ECONNREFUSED', broker: '127.0.0.1:9092' });
}

const DOWN = 'no Kafka broker answers at 127.0.0.1:9092 (ECONNREFUSED); ';

describe('the Kafka outage hint per command', () => {
  it('keeps --engine embedded for the streaming commands and names their own for demo and archive', () => {
    const message = kafkaError(refused(), '127.0.0.1:9092').message;
    expect(message).toBe(
      `${DOWN}start one with \`npm run cluster -- up\`, or use --engine embedded`,
    );
    expect(withCommandHint('stream', message)).toBe(message);
    expect(withCommandHint(undefined, message)).toBe(message);
    expect(withCommandHint('demo', message)).toBe(
      `${DOWN}start one with \`npm run cluster -- up\`, or run the demo without --cluster`,
    );
    expect(withCommandHint('archive', `${message}; waiting for it for up to 300.0 s`)).toBe(
      `${DOWN}start one with \`npm run cluster -- up\`, or archive a file: \`loglab archive FILE\`; waiting for it for up to 300.0 s`,
    );
    expect(withCommandHint('demo', 'the Kafka broker at 127.0.0.1:9092 answers again')).toBe(
      'the Kafka broker at 127.0.0.1:9092 answers again',
    );
  });

  it("writes the demo's outage wait lines with the demo's way out", () => {
    let stderr = '';
    const io = {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr: new Writable({
        write(chunk: Buffer, _enc, done) {
          stderr += chunk.toString('utf8');
          done();
        },
      }),
      env: {},
      exitCode: undefined,
    };
    const message = kafkaError(refused(), '127.0.0.1:9092').message;
    withIo(io, () => {
      for (const command of ['demo', 'produce']) {
        const wait = brokerOutageOptions(command, new AbortController().signal, 1000).kafka
          ?.producerOutage;
        wait?.log?.(`${message}; waiting for it for up to 1.0 s`);
      }
    });
    expect(stderr).toBe(
      `loglab demo: ${DOWN}start one with \`npm run cluster -- up\`, or run the demo without --cluster; waiting for it for up to 1.0 s\n` +
        `loglab produce: ${DOWN}start one with \`npm run cluster -- up\`, or use --engine embedded; waiting for it for up to 1.0 s\n`,
    );
  });
});
