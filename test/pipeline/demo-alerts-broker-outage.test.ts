/**
 * The demo's alerts across a broker outage, exactly once: a produce to weblogs.alerts whose
 * answer the outage lost (the broker stored the batch) is waited out and not sent again
 * (detection-outbox.ts). Before, the lost answer ended the demo with the outage's error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import { runDemo } from '../../src/pipeline/demo-run';
import { alertMessage } from '../../src/pipeline/stream-detector';
import { createLocalStore } from '../../src/storage/local-store';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { ALERTS_TOPIC } from '../../src/stream/topics';
import { losesFirstAnswer } from './going-away-broker';
import { topicValues } from './topic-values';

const LINES = 5000;
const dir = mkdtempSync(join(tmpdir(), 'loglab-demo-outage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runDemo through a broker outage', () => {
  it('puts every alert on weblogs.alerts once when a produce of alerts loses its answer', async () => {
    const memory = createMemoryBroker();
    const away = losesFirstAnswer(memory, ALERTS_TOPIC);
    const store = await createLocalStore({ root: join(dir, 'lake') });
    const log: string[] = [];
    const run = await runDemo({
      lines: LINES,
      seed: 7,
      broker: away.broker,
      store,
      runner: createEmbeddedRunner(),
      batchInput: join(dir, 'lake', 'loglab', 'raw'),
      outDir: join(dir, 'out'),
      log: (line) => log.push(line),
    });
    expect(away.lost()).toBe(1);
    const sent = run.record.detection.alerts.map((a) => alertMessage(a).value);
    expect(sent.length).toBeGreaterThan(0);
    expect((await topicValues(memory, ALERTS_TOPIC)).sort()).toEqual([...sent].sort());
    expect(
      log.some((l) =>
        / messages whose produce failed are on weblogs\.alerts already: sending the other 0$/.test(
          l,
        ),
      ),
    ).toBe(true);
    await store.close();
    await memory.close();
  }, 60_000);
});
