/**
 * The thread side of a Kafka member that fetches on a thread of its own (kafka-thread-consumer.ts
 * has the protocol and why). It joins the group with the ordinary kafkajs adapter, polls it, and
 * posts each batch packed (packed-batch.ts), never more than `prefetchRecords` ahead of what the
 * main thread has taken; it commits what the main thread asks, when it asks, and nothing else.
 * Started through parallel/worker-boot.cjs, which makes TypeScript loadable in the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isLoglabError } from '../errors';
import type { AssignmentChange, Consumer } from './broker';
import { createKafkaBroker } from './kafka-broker';
import type { FromMain, ThreadInput, ToMain, WireError } from './kafka-thread-protocol';
import { packBatch, transferList } from './packed-batch';

const port = parentPort;
if (port === null) throw new Error('kafka-thread-worker runs in a worker thread');
const input = (workerData as { data: ThreadInput }).data;

function wire(err: unknown): WireError {
  if (isLoglabError(err)) {
    return { code: err.code, message: err.message, retriable: err.retriable, context: err.context };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

const post = (message: ToMain, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const broker = createKafkaBroker(input.config);
const stop = new AbortController();
let consumer: Consumer<Buffer> | null = null;
/** Records posted that the main thread has not taken (or dropped) yet. */
let outstanding = 0;
let roomWaiter: (() => void) | null = null;
let closing: Promise<void> | null = null;

function close(): Promise<void> {
  closing ??= (async () => {
    stop.abort();
    roomWaiter?.();
    await consumer?.close();
    await broker.close().catch(() => undefined);
    post({ kind: 'closed' });
    port?.close();
  })();
  return closing;
}

port.on('message', (message: FromMain) => {
  switch (message.kind) {
    case 'took':
      outstanding -= message.count;
      roomWaiter?.();
      return;
    case 'commit': {
      const member = consumer;
      if (member === null) return;
      member.commit(message.offsets).then(
        (result) => post({ kind: 'committed', id: message.id, result }),
        (err) => post({ kind: 'failed', id: message.id, error: wire(err) }),
      );
      return;
    }
    case 'close':
      void close();
      return;
  }
});

async function run(): Promise<void> {
  try {
    consumer = await broker.subscribe({
      ...input.subscribe,
      valueAs: 'buffer',
      onAssignment: (change: AssignmentChange) =>
        post({ kind: 'assignment', change, memberId: consumer?.memberId() ?? '' }),
    });
  } catch (err) {
    post({ kind: 'failed', id: null, error: wire(err) });
    await close();
    return;
  }
  post({ kind: 'ready', memberId: consumer.memberId(), assignment: consumer.assignment() });
  const limit = input.prefetchRecords;
  try {
    while (!stop.signal.aborted) {
      if (outstanding >= limit) {
        await new Promise<void>((resolve) => {
          roomWaiter = resolve;
        });
        roomWaiter = null;
        continue;
      }
      const result = await consumer.poll({
        maxRecords: limit - outstanding,
        maxWaitMs: input.pollWaitMs,
        signal: stop.signal,
      });
      if (result.kind === 'stopped') break;
      if (result.kind !== 'records') continue;
      for (const batch of result.batches) {
        const packed = packBatch(batch);
        outstanding += packed.count;
        post({ kind: 'batch', batch: packed }, transferList(packed));
      }
    }
  } catch (err) {
    // The member crashed (the broker gone past the retries): every later call says so.
    post({ kind: 'crashed', error: wire(err) });
  }
}

void run();
