/**
 * Topics and groups that a notebook or benchmark makes for one run and removes afterwards, so a
 * shared cluster is left as it was. The `Broker` port has no delete (the pipeline never needs
 * one); on a cluster this goes to Kafka's admin API directly, on the embedded engine the topics
 * vanish with the broker and there is nothing to do.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { Broker } from './broker';
import { kafkaError } from './kafka-errors';

export interface ScratchNames {
  readonly topics: readonly string[];
  readonly groups: readonly string[];
}

/**
 * A name for this run: `base` on the embedded engine (a fresh broker has nothing else), and
 * `base.<suffix>` on a cluster, where other people's topics and groups live too.
 */
export function scratchName(broker: Broker, base: string, suffix: string | number): string {
  return broker.engine === 'embedded' ? base : `${base}.${suffix}`;
}

export interface Scratch {
  /** A topic name for this run, remembered for `remove`. */
  topic(base: string): string;
  /** A group id for this run, remembered for `remove`. */
  group(base: string): string;
  names(): ScratchNames;
  /** Deletes every remembered group and topic (on a cluster). */
  remove(): Promise<ScratchNames>;
}

/** Names for one run (suffix: the time it started), all removed at the end with `remove()`. */
export function createScratch(broker: Broker, suffix: string | number = Date.now()): Scratch {
  const topics: string[] = [];
  const groups: string[] = [];
  const remember = (list: string[], base: string) => {
    const name = scratchName(broker, base, suffix);
    if (!list.includes(name)) list.push(name);
    return name;
  };
  return {
    topic: (base) => remember(topics, base),
    group: (base) => remember(groups, base),
    names: () => ({ topics: [...topics], groups: [...groups] }),
    remove: () => removeScratch(broker, { topics, groups }),
  };
}

/**
 * Deletes the groups (those with members left are skipped) and then the topics. Resolves with
 * what was deleted; a broker that does not answer is one LoglabError.
 */
export async function removeScratch(broker: Broker, names: ScratchNames): Promise<ScratchNames> {
  if (broker.engine === 'embedded') return { topics: [], groups: [] };
  const brokers = broker.address.split(',');
  const admin = new Kafka({
    clientId: 'loglab-scratch',
    brokers,
    logLevel: logLevel.NOTHING,
    logCreator: () => () => undefined,
  }).admin();
  try {
    await admin.connect();
    const groups: string[] = [];
    for (const g of names.groups) {
      // One at a time: kafkajs rejects the whole call when any group still has members.
      const ok = await admin.deleteGroups([g]).then(
        () => true,
        () => false,
      );
      if (ok) groups.push(g);
    }
    const existing = new Set(await admin.listTopics());
    const topics = names.topics.filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    return { topics, groups };
  } catch (err) {
    throw kafkaError(err, broker.address);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
