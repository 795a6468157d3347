/**
 * `loglab topics`: what the broker holds. Each topic with its partitions and their end offsets,
 * then each consumer group with its committed offsets and lag per topic, as a table or JSON.
 */
import type { Command } from 'commander';
import { isLoglabError } from '../../errors';
import { terminalText } from '../../log/terminal-text';
import type { Broker, GroupLag, TopicDescription } from '../../stream/broker';
import { cliIo } from '../context';
import { ENGINE_HELP, engineOption, openBroker, thousands } from '../streaming';

interface TopicsFlags {
  engine?: string;
  json?: boolean;
}

export interface TopicRow {
  readonly name: string;
  readonly partitions: TopicDescription['partitions'];
  /** Messages stored: Σ (end − start). */
  readonly messages: number;
}

export interface GroupTopicRow {
  readonly groupId: string;
  readonly topic: string;
  /** Σ of committed offsets over the partitions the group committed on. */
  readonly committed: number;
  readonly end: number;
  readonly lag: number;
  readonly partitions: GroupLag['partitions'];
}

export interface BrokerOverview {
  readonly engine: string;
  readonly address: string;
  readonly topics: readonly TopicRow[];
  readonly groups: readonly GroupTopicRow[];
}

const EXAMPLES = `
Examples:
  loglab topics
  loglab topics --json | jq '.groups[] | select(.lag > 0)'

Columns: a topic's "end offsets" are those of partitions 0, 1, 2, … (the offset the next message
will get); "messages" is how many are stored (end − oldest kept). A group's lag on a topic is
Σ (end − committed) over its partitions: what it still has to read.
${ENGINE_HELP}
`;

export function registerTopics(program: Command): void {
  program
    .command('topics')
    .description('List topics with partitions and end offsets, and the lag of each consumer group.')
    .addOption(engineOption('cluster-if-up'))
    .option('--json', 'one JSON object instead of the tables')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: TopicsFlags) => {
      const { engine, broker } = await openBroker(flags.engine, 'cluster-if-up');
      try {
        if (engine === 'embedded') {
          // A new embedded broker holds nothing: show the pipeline's topics at least.
          const { ensureStandardTopics } = await import('../../stream/topics');
          await ensureStandardTopics(broker);
        }
        const overview = await describeBroker(broker);
        cliIo().stdout.write(
          flags.json ? `${JSON.stringify(overview, null, 2)}\n` : formatOverview(overview),
        );
      } finally {
        await broker.close();
      }
    });
}

/**
 * Topics and groups of a broker, sorted by name. A shared broker changes while this lists it: a
 * topic deleted between the list and its description is left out, as if listed a moment later.
 */
export async function describeBroker(broker: Broker): Promise<BrokerOverview> {
  const names = await broker.listTopics();
  const topics: TopicRow[] = [];
  for (const name of names) {
    let d: TopicDescription;
    try {
      d = await broker.describeTopic(name);
    } catch (err) {
      if (isLoglabError(err) && err.code === 'NOT_FOUND') continue;
      throw err;
    }
    let messages = 0;
    for (const p of d.partitions) messages += p.end - p.start;
    topics.push({ name, partitions: d.partitions, messages });
  }
  const groups: GroupTopicRow[] = [];
  for (const groupId of await broker.listGroups()) {
    const lag = await broker.groupLag(groupId);
    const byTopic = new Map<string, GroupLag['partitions'][number][]>();
    for (const p of lag.partitions) {
      const list = byTopic.get(p.topic);
      if (list) list.push(p);
      else byTopic.set(p.topic, [p]);
    }
    for (const [topic, partitions] of [...byTopic].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      let committed = 0;
      let end = 0;
      let total = 0;
      for (const p of partitions) {
        committed += p.committed ?? 0;
        end += p.end;
        total += p.lag;
      }
      groups.push({ groupId, topic, committed, end, lag: total, partitions });
    }
  }
  return { engine: broker.engine, address: broker.address, topics, groups };
}

/** Columns padded to their widest cell; numbers right-aligned. */
function table(header: readonly string[], rows: readonly string[][], numeric: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        i === cells.length - 1 && !numeric[i]
          ? c
          : numeric[i]
            ? c.padStart(widths[i])
            : c.padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((l) => `${l}\n`).join('');
}

export function formatOverview(o: BrokerOverview): string {
  let out = `${o.engine === 'embedded' ? 'embedded broker (this process only)' : `Kafka at ${o.address}`}\n\n`;
  if (o.topics.length === 0) {
    out += 'no topics\n';
  } else {
    out += table(
      ['topic', 'partitions', 'messages', 'end offsets'],
      o.topics.map((t) => [
        t.name,
        String(t.partitions.length),
        thousands(t.messages),
        t.partitions.map((p) => p.end).join(' '),
      ]),
      [false, true, true, false],
    );
  }
  out += '\n';
  if (o.groups.length === 0) {
    out += 'no consumer groups\n';
  } else {
    out += table(
      ['group', 'topic', 'committed', 'end', 'lag'],
      // Anyone may make a group on a shared broker: its name is shown escaped, like log text.
      o.groups.map((g) => [
        terminalText(g.groupId),
        g.topic,
        thousands(g.committed),
        thousands(g.end),
        thousands(g.lag),
      ]),
      [false, false, true, true, true],
    );
  }
  return out;
}
