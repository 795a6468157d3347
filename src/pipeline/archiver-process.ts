/**
 * The archiver as a process of its own, for `killArchiverProcess` (archiver-crash.ts): one JSON
 * argument (ArchiverProcessArgs), the cluster engine from the environment. It reports every
 * roll after its renames as one JSON line on stdout; at roll `crashAtRoll`, or the first after
 * it with another partition's file under `_tmp/`, it reports `holding` and waits, before the
 * commit, to be killed.
 */
import { createBroker, createStore, loadConfig } from '../config';
import type { Store } from '../storage/store';
import type { ArchiverProcessArgs } from './archiver-crash';
import { tmpFiles } from './lake-files';
import { runArchiver } from './run-archiver';

/** How long a roll waits for another partition's upload to show under `_tmp/`. */
const UPLOAD_VISIBLE_MS = 2_000;

/**
 * The kill is meant to find other partitions' files half-written under `_tmp/`. A file shows
 * there only once its DataNode write has begun, and the other partitions may just have rolled
 * too (rolls of several partitions run at once), holding nothing: so the kill comes at the first
 * roll from `crashAtRoll` on where such a file is visible, waiting a moment for it at each.
 */
async function otherUploadVisible(store: Store, topic: string): Promise<boolean> {
  const until = Date.now() + UPLOAD_VISIBLE_MS;
  for (;;) {
    if ((await tmpFiles(store, topic)).length > 0) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ArchiverProcessArgs;
  const config = loadConfig();
  const broker = createBroker('cluster', config, {
    kafka: { fetchMaxBytesPerPartition: args.fetchBytesPerPartition },
  });
  const store = await createStore('cluster', config);
  let rolls = 0;
  await runArchiver(broker, store, {
    topic: args.topic,
    groupId: args.groupId,
    rollBytes: args.rollBytes,
    pollRecords: args.pollRecords,
    beforeCommit: async (roll) => {
      rolls++;
      if (rolls < args.crashAtRoll || !(await otherUploadVisible(store, args.topic))) {
        process.stdout.write(`${JSON.stringify({ roll: rolls })}\n`);
        return;
      }
      const holding = {
        partition: roll.partition,
        files: roll.files.map((f) => f.finalPath),
        nextOffset: roll.nextOffset,
      };
      process.stdout.write(`${JSON.stringify({ roll: rolls, holding })}\n`);
      // Wait to be killed; the interval keeps the process alive meanwhile.
      await new Promise(() => setInterval(() => {}, 60_000));
    },
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`archiver process: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
