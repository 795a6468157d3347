/**
 * A worker thread of `summarizeFile`: counts the blocks it claims and posts its counters back.
 * Started through worker-boot.cjs, which makes TypeScript loadable in the thread.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { getParser } from '../log/parser';
import { createSummaryState } from './aggregator';
import { countClaimedBlocks } from './claim';
import type { WorkerJob, WorkerReply } from './file';

const job = workerData as WorkerJob;
let reply: WorkerReply;
try {
  const st = createSummaryState();
  const fd = openSync(job.path, 'r');
  try {
    countClaimedBlocks(st, {
      fd,
      size: job.size,
      blockSize: job.blockSize,
      counters: new Int32Array(job.shared),
      parse: getParser(job.format),
      fast: job.fast,
    });
  } finally {
    closeSync(fd);
  }
  // The last-user-agent cache is of no use to the receiver; sending it would copy every string.
  for (const entry of st.ips.values()) entry.agent = null;
  reply = { ok: true, state: st };
} catch (err) {
  reply = { ok: false, message: err instanceof Error ? err.message : String(err) };
}
parentPort?.postMessage(reply);
