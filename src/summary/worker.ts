/**
 * A worker thread of `summarizeFile`: counts the blocks it claims and posts its counters back.
 * Started through parallel/worker-thread.ts.
 */
import { closeSync, openSync } from 'node:fs';
import { getParser } from '../log/parser';
import { answerParent, workerInput } from '../parallel/worker-thread';
import { createSummaryState, type SummaryState } from './aggregator';
import { countClaimedBlocks } from './claim';
import type { WorkerJob } from './file';

void answerParent((): SummaryState => {
  const job = workerInput<WorkerJob>();
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
  return st;
});
