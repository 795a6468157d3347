/**
 * `loglab consume`: the values of a topic's messages to stdout, one per line, as a member of a
 * consumer group.
 *
 * At least once: each polled batch is written to stdout (waiting for the pipe to take it) and
 * only then committed, so a consumer that dies re-reads at most its last batch and never skips
 * one. --max N polls no more than N, so exactly what was printed is committed.
 */
import type { Command } from 'commander';
import { LoglabError } from '../../errors';
import { terminalLine } from '../../log/terminal-text';
import type { RecordBatch } from '../../stream/broker';
import { RAW_TOPIC, standardTopics } from '../../stream/topics';
import { cliIo } from '../context';
import { parseCount } from '../flags';
import {
  brokerOutageOptions,
  brokerWaitMs,
  brokerWaitOption,
  createStatusLine,
  ENGINE_HELP,
  engineOption,
  handleInterrupts,
  openBroker,
  thousands,
} from '../streaming';

type Io = typeof import('../io');

/** The group of `loglab consume` without --group. */
export const DEFAULT_GROUP = 'loglab-cli';

interface ConsumeFlags {
  group: string;
  fromBeginning?: boolean;
  max?: string;
  topic: string;
  engine?: string;
  brokerWait: string;
}

const EXAMPLES = `
Examples:
  loglab consume --from-beginning --max 10          the first ten lines of weblogs.raw
  loglab consume --group archiver > raw.log         go on from where group "archiver" stopped
  loglab consume --topic weblogs.deadletter --from-beginning

Values are written as they are, one message per line, in the order of each partition (the
partitions interleave). A group starts where it last committed; --from-beginning applies only
to partitions on which the group has not committed yet (otherwise they start with new messages
only), so give it again when a group that stopped at --max goes on: that run may not have
reached every partition.
The standard topics are created when missing; any other --topic must exist.
The last line on stderr is: consumed N from TOPIC (group G)
It waits for new messages until --max is reached or Ctrl-C, which commits what was printed and
exits 0; a second Ctrl-C exits at once with 130. If the group is rebalancing when the last
commit is due, it is tried again for a few seconds; when it still does not go through (or a
rebalance took a partition before its lines were committed), a line on stderr says so and the
exit code is 1: those lines will be delivered again.
If the broker goes away after the group was joined (Kafka restarting), one line on stderr says
so and it waits for it, up to --broker-wait (5 minutes; Ctrl-C stops waiting); once the broker
answers again (one more line) it joins again and goes on from the committed offsets, printing no
line twice. Past the wait, one line and exit 2.
With --engine embedded the broker starts empty in this process, so the command prints nothing
and ends at once.
${ENGINE_HELP}
`;

/**
 * A message as `consume` prints it: on a terminal with its control characters shown as \xHH (a
 * message is a log line, from anyone: ESC or CSI would recolour or rewrite the screen); into a
 * pipe or a file as it is, data for the next command.
 */
export function printedValue(value: string, terminal: boolean): string {
  return terminal ? terminalLine(value) : value;
}

export function registerConsume(program: Command): void {
  program
    .command('consume')
    .description('Print the messages of a Kafka topic as lines, committing after each batch.')
    .option('--group <id>', 'consumer group', DEFAULT_GROUP)
    .option('--from-beginning', 'a group without committed offsets starts at the oldest message')
    .option('--max <n>', 'stop after this many messages, committing exactly those')
    .option('--topic <name>', 'topic to read', RAW_TOPIC)
    .addOption(engineOption('cluster-if-up'))
    .addOption(brokerWaitOption())
    .addHelpText('after', EXAMPLES)
    .action(async (flags: ConsumeFlags) => {
      await runConsume(flags);
    });
}

async function runConsume(flags: ConsumeFlags): Promise<void> {
  const max = flags.max === undefined ? undefined : parseCount(flags.max, '--max', 0);
  if (flags.group.trim() === '') throw new LoglabError('BAD_FLAG', '--group must not be empty');
  const waitMs = await brokerWaitMs(flags.brokerWait);
  const [io, { runConsumer }] = await Promise.all([
    import('../io') as Promise<Io>,
    import('../../stream/consume-loop'),
  ]);
  const interrupts = handleInterrupts(1);
  const [stop] = interrupts.stages;
  // A broker outage after the join is waited out (bounded), until Ctrl-C.
  const { engine, broker } = await openBroker(
    flags.engine,
    'cluster-if-up',
    brokerOutageOptions('consume', stop, waitMs),
  ).catch((err: unknown) => {
    interrupts.dispose();
    throw err;
  });
  // A status line on the terminal that also shows the messages would cut through them.
  const { stdout, stderr } = cliIo();
  const status = createStatusLine(stdout.isTTY ? null : stderr);
  let consumed = 0;
  let uncommitted = false;
  const started = Date.now();
  const timer = status.enabled
    ? setInterval(() => {
        const s = (Date.now() - started) / 1000;
        status.show(`consumed ${thousands(consumed)} (${thousands(consumed / s)}/s)`);
      }, 250)
    : null;
  try {
    const standard = standardTopics();
    if (standard.some((t) => t.name === flags.topic)) await broker.createTopics(standard);
    const consumer = await broker.subscribe({
      groupId: flags.group,
      topics: [flags.topic],
      fromBeginning: flags.fromBeginning === true,
      clientId: 'loglab-consume',
    });
    const terminal = stdout.isTTY === true;
    const print = async (batches: readonly RecordBatch<string>[]) => {
      let text = '';
      for (const batch of batches) {
        const records = batch.records;
        for (let i = 0; i < records.length; i++)
          text += `${printedValue(records[i].value, terminal)}\n`;
        consumed += records.length;
      }
      const wait = io.writeChunk(stdout, text);
      if (wait !== undefined) await wait;
    };
    try {
      const summary = await runConsumer(consumer, print, {
        signal: stop,
        maxRecords: max,
        // The embedded broker is empty in a new process: nothing will ever arrive.
        stopWhenIdle: engine === 'embedded',
      });
      uncommitted = summary.uncommitted;
    } finally {
      await consumer.close();
    }
  } finally {
    if (timer !== null) clearInterval(timer);
    status.clear();
    interrupts.dispose();
    await broker.close();
  }
  stderr.write(`consumed ${consumed} from ${flags.topic} (group ${flags.group})\n`);
  if (uncommitted) {
    stderr.write(
      'loglab consume: the group was rebalancing and did not take the last commit: some of these lines will be delivered again\n',
    );
    cliIo().exitCode = 1;
  }
}
