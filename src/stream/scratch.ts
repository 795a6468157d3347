/**
 * Topics and groups that a notebook or benchmark makes for one run and removes afterwards, so a
 * shared cluster is left as it was. Removal goes through the Broker port (`deleteGroups`,
 * `deleteTopics`), so it works the same on either engine.
 */
import type { Broker } from './broker';

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
  const groups = await broker.deleteGroups(names.groups);
  const topics = await broker.deleteTopics(names.topics);
  return { topics: [...topics.deleted], groups: [...groups.deleted] };
}
