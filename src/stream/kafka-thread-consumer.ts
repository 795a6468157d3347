/**
 * A Kafka group member whose fetching runs on a thread of its own: the port's `Consumer`, with
 * kafkajs (fetching, decoding, its garbage) in a worker thread and the caller's work on the main
 * thread, side by side. Asked for with `SubscribeOptions.ownThread`; the archiver does, because
 * on one thread kafkajs alone takes what its target allows (BENCHMARKS.md, stage 4).
 *
 * ```
 *  worker thread                                     main thread
 *  kafkajs ─▶ kafka-consumer.ts ─▶ poll ─▶ pack ══batch══▶ queue ─▶ poll ─▶ caller
 *                     ▲   (≤ prefetchRecords ahead) ◀──took──┘                 │
 *                     └──── commitOffsets ◀════commit(offsets)═════════════════┘
 * ```
 *
 * The delivery contract is the port's, unchanged, because the thread runs the ordinary adapter
 * (kafka-consumer.ts) and only moves what it polls:
 * - Nothing is committed but what the caller commits, when it commits: `commit` sends the
 *   caller's offsets (or the positions after what *this* side's `poll` returned) and resolves
 *   with the adapter's answer. The thread never commits by itself.
 * - Back-pressure: the thread posts at most `prefetchRecords` records ahead of what `poll` has
 *   taken, then stops polling; the adapter behind it then stops kafkajs in turn (heartbeating).
 * - Assignment changes come down the same ordered port as the batches. On a change the batches
 *   not yet polled are dropped, as the adapter drops its queue at a rejoin (kafkajs reads those
 *   partitions again from the committed offset), and `onAssignment` is called synchronously.
 * - A crash of the member (or of the thread) makes every later `poll` and `commit` throw it.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { badFlag, LoglabError } from '../errors';
import type {
  CommitResult,
  Consumer,
  PollOptions,
  PollResult,
  RecordBatch,
  SubscribeOptions,
  TopicPartition,
  TopicPartitionOffset,
  ValueAs,
} from './broker';
import { DEFAULT_POLL_RECORDS, DEFAULT_POLL_WAIT_MS } from './broker';
import type { KafkaBrokerConfig } from './kafka-config';
import type { FromMain, ThreadInput, ToMain, WireError } from './kafka-thread-protocol';
import { type PackedBatch, unpackRecords } from './packed-batch';

type Value = string | Buffer;

const WORKER_ENTRY = new URL('./kafka-thread-worker.ts', import.meta.url);
const BOOT = new URL('../parallel/worker-boot.cjs', import.meta.url);
/** How long `close` waits for the thread to leave the group before it ends the thread. */
const CLOSE_WAIT_MS = 15_000;

function fromWire(e: WireError): LoglabError {
  return new LoglabError(e.code, e.message, { retriable: e.retriable, context: e.context });
}

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export interface ThreadConsumerSettings {
  readonly prefetchRecords: number;
  /** How long one poll of the thread's member waits on an empty queue. */
  readonly pollWaitMs?: number;
}

export function subscribeOnThread(
  config: KafkaBrokerConfig,
  settings: ThreadConsumerSettings,
  opts: SubscribeOptions<ValueAs>,
): Promise<Consumer<Value>> {
  const as: ValueAs = opts.valueAs ?? 'string';
  const input: ThreadInput = {
    // Functions stay behind (the caller checks there are none that matter).
    config: { ...config, kafkaFactory: undefined, log: undefined },
    subscribe: {
      groupId: opts.groupId,
      topics: [...opts.topics],
      fromBeginning: opts.fromBeginning,
      clientId: opts.clientId,
    },
    prefetchRecords: settings.prefetchRecords,
    pollWaitMs: settings.pollWaitMs ?? 100,
  };
  const worker = new Worker(BOOT, {
    workerData: { entry: fileURLToPath(WORKER_ENTRY), data: input },
  });

  /** Batches posted and not yet polled; the head may be partly taken (`headAt`). */
  const queue: PackedBatch[] = [];
  let headAt = 0;
  let queued = 0;
  let assignment: TopicPartition[] = [];
  let memberId = '';
  let crash: LoglabError | null = null;
  let closed = false;
  let exited = false;
  const positions = new Map<string, TopicPartitionOffset>();
  const commits = new Map<
    number,
    { resolve: (r: CommitResult) => void; reject: (e: Error) => void }
  >();
  let nextCommit = 0;
  let dataWaiter: (() => void) | null = null;
  let onClosed: (() => void) | null = null;
  let settleJoin: ((err: LoglabError | null) => void) | null = null;

  const send = (message: FromMain) => {
    if (!exited) worker.postMessage(message);
  };
  const fail = (err: LoglabError) => {
    crash ??= err;
    dataWaiter?.();
    for (const c of commits.values()) c.reject(crash);
    commits.clear();
    settleJoin?.(crash);
  };

  worker.on('message', (m: ToMain) => {
    switch (m.kind) {
      case 'batch':
        if (closed) return;
        queue.push(m.batch);
        queued += m.batch.count;
        dataWaiter?.();
        return;
      case 'assignment': {
        memberId = m.memberId;
        const lost = new Set(m.change.revoked.map((tp) => tpKey(tp.topic, tp.partition)));
        assignment = [
          ...assignment.filter((tp) => !lost.has(tpKey(tp.topic, tp.partition))),
          ...m.change.assigned,
        ].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
        for (const key of lost) positions.delete(key);
        if (queued > 0) send({ kind: 'took', count: queued });
        queue.length = 0;
        headAt = 0;
        queued = 0;
        opts.onAssignment?.(m.change);
        return;
      }
      case 'ready':
        memberId = m.memberId;
        assignment = [...m.assignment];
        settleJoin?.(null);
        return;
      case 'committed':
        commits.get(m.id)?.resolve(m.result);
        commits.delete(m.id);
        return;
      case 'failed':
        if (m.id === null) {
          fail(fromWire(m.error));
        } else {
          commits.get(m.id)?.reject(fromWire(m.error));
          commits.delete(m.id);
        }
        return;
      case 'crashed':
        fail(fromWire(m.error));
        return;
      case 'closed':
        onClosed?.();
        return;
    }
  });
  worker.on('error', (err) => {
    fail(new LoglabError('INTERNAL', `the Kafka fetch thread failed: ${err.message}`));
  });
  worker.on('exit', (code) => {
    exited = true;
    onClosed?.();
    if (!closed) fail(new LoglabError('INTERNAL', `the Kafka fetch thread exited (${code})`));
  });

  function take(max: number): PollResult<Value> {
    const batches: RecordBatch<Value>[] = [];
    let count = 0;
    while (count < max && queue.length > 0) {
      const head = queue[0];
      const to = Math.min(head.count, headAt + (max - count));
      const records = unpackRecords(head, headAt, to, as);
      batches.push({
        topic: head.topic,
        partition: head.partition,
        records,
        highWatermark: head.highWatermark,
      });
      count += records.length;
      const last = head.offsets[to - 1] + 1;
      const key = tpKey(head.topic, head.partition);
      const before = positions.get(key);
      if (before === undefined || last > before.offset) {
        positions.set(key, { topic: head.topic, partition: head.partition, offset: last });
      }
      if (to === head.count) {
        queue.shift();
        headAt = 0;
      } else {
        headAt = to;
      }
    }
    queued -= count;
    send({ kind: 'took', count });
    return { kind: 'records', batches, count };
  }

  function waitForData(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        dataWaiter = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      dataWaiter = done;
    });
  }

  const consumer: Consumer<Value> = {
    groupId: opts.groupId,
    memberId: () => memberId,
    assignment: () => assignment,

    async poll(pollOpts: PollOptions = {}): Promise<PollResult<Value>> {
      const max = pollOpts.maxRecords ?? DEFAULT_POLL_RECORDS;
      if (!Number.isInteger(max) || max < 1) {
        throw badFlag(`maxRecords must be a positive integer, got ${max}`);
      }
      if (dataWaiter !== null) {
        throw new LoglabError('INTERNAL', 'poll called while another poll is waiting');
      }
      if (crash !== null) throw crash;
      if (closed) return { kind: 'stopped', reason: 'closed' };
      if (pollOpts.signal?.aborted) return { kind: 'stopped', reason: 'aborted' };
      if (queued === 0) {
        await waitForData(pollOpts.maxWaitMs ?? DEFAULT_POLL_WAIT_MS, pollOpts.signal);
        if (crash !== null) throw crash;
        if (closed) return { kind: 'stopped', reason: 'closed' };
        if (pollOpts.signal?.aborted) return { kind: 'stopped', reason: 'aborted' };
        if (queued === 0) return { kind: 'idle' };
      }
      return take(max);
    },

    commit(offsets?: readonly TopicPartitionOffset[]): Promise<CommitResult> {
      if (crash !== null) return Promise.reject(crash);
      if (closed) {
        return Promise.reject(new LoglabError('INTERNAL', 'commit called on a closed consumer'));
      }
      const id = nextCommit++;
      const list = offsets === undefined ? [...positions.values()] : [...offsets];
      return new Promise((resolve, reject) => {
        commits.set(id, { resolve, reject });
        send({ kind: 'commit', id, offsets: list });
      });
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      queue.length = 0;
      queued = 0;
      dataWaiter?.();
      if (exited) return;
      const left = new Promise<void>((resolve) => {
        onClosed = resolve;
      });
      send({ kind: 'close' });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      });
      await Promise.race([left, late]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };

  return new Promise((resolve, reject) => {
    settleJoin = (err) => {
      settleJoin = null;
      if (err === null) {
        resolve(consumer);
        return;
      }
      closed = true;
      void worker.terminate();
      reject(err);
    };
  });
}
