/**
 * The detectors on the stream's consumer side (`loglab stream --detect`) across a broker outage:
 * a produce to weblogs.alerts whose answer the outage lost is waited out and not sent again
 * (stream-detection.ts, outbox.ts). Before, the lost answer ended the stream with the outage's
 * error.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { runStream } from '../../src/pipeline/run-stream';
import { streamDetection } from '../../src/pipeline/stream-detection';
import { alertMessage, createStreamDetector } from '../../src/pipeline/stream-detector';
import type { Alert } from '../../src/realtime/alert';
import { detectionSettings } from '../../src/realtime/settings';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { ALERTS_TOPIC } from '../../src/stream/topics';
import { losesFirstAnswer } from './going-away-broker';
import { topicValues } from './topic-values';

describe('stream detection through a broker outage', () => {
  it('puts every alert on weblogs.alerts once when a produce of alerts loses its answer', async () => {
    const memory = createMemoryBroker();
    const away = losesFirstAnswer(memory, ALERTS_TOPIC);
    const d = detectionSettings();
    const detector = createStreamDetector({
      windowMs: d.windowMs,
      hopMs: d.hopMs,
      latenessMs: d.latenessMs,
      parse: parseAuto,
    });
    const alerts: Alert[] = [];
    const log: string[] = [];
    const detection = streamDetection(away.broker, detector, {
      topic: 'raw',
      groupId: 'stream',
      log: (line) => log.push(line),
      onAlerts: (fresh) => {
        alerts.push(...fresh);
      },
    });
    const summary = await runStream(away.broker, {
      generate: defaultOptions({ seed: 3, lines: 5000, incidents: [...INCIDENT_KINDS] }),
      topic: 'raw',
      partitions: 3,
      groupId: 'stream',
      handlers: [detection],
    });
    expect(summary.consumed).toBe(5000);
    expect(away.lost()).toBe(1);
    const sent = alerts.map((a) => alertMessage(a).value);
    expect(sent.length).toBeGreaterThan(0);
    expect((await topicValues(memory, ALERTS_TOPIC)).sort()).toEqual([...sent].sort());
    expect(
      log.filter((l) => l.includes('are on weblogs.alerts already: sending the other 0')),
    ).toHaveLength(1);
    await memory.close();
  }, 60_000);
});
