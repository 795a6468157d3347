/**
 * The archiver as a process of its own, for `killArchiverProcess` (archiver-crash.ts): one JSON
 * argument (ArchiverProcessArgs), the cluster engine from the environment. It reports every
 * roll after its renames as one JSON line on stdout; at roll `crashAtRoll` it reports
 * `holding` and waits, before the commit, to be killed.
 */
import { createBroker, createStore, loadConfig } from '../config';
import type { ArchiverProcessArgs } from './archiver-crash';
import { runArchiver } from './run-archiver';

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
      if (rolls < args.crashAtRoll) {
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
