/** Every value on a topic of a broker, read in a group of its own from the oldest record. */
import type { Broker } from '../../src/stream/broker';

export async function topicValues(broker: Broker, topic: string): Promise<string[]> {
  const reader = await broker.subscribe({
    groupId: `read.${topic}`,
    topics: [topic],
    fromBeginning: true,
  });
  const out: string[] = [];
  for (;;) {
    const r = await reader.poll({ maxWaitMs: 0 });
    if (r.kind !== 'records') break;
    for (const b of r.batches) for (const x of b.records) out.push(x.value);
  }
  await reader.close();
  return out;
}
