/**
 * `loglab dashboard --web --engine cluster` follows a topic on the real Kafka broker in a group
 * of its own. Lines with incidents produced to a fresh topic once the dashboard serves reach
 * its page's event stream: every line counted, the consumer lag down to 0, and each alert line
 * the command wrote to stdout among the page's latest alerts, in the words the page shows.
 */
import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startWeb, type WebProcess } from '../../src/bench/web-process';
import { WEB_RECENT_ALERTS } from '../../src/cli/detect-session';
import { createBroker, loadConfig } from '../../src/config';
import { defaultOptions, generateLines } from '../../src/generate/index';
import type { WebFrame } from '../../src/realtime/dashboard/web-frame';
import { clientKey } from '../../src/stream/line-messages';
import { removeScratch } from '../../src/stream/scratch';

const broker = createBroker('cluster', loadConfig());
const suffix = `${Date.now()}.${process.pid}`;
const topic = `loglab.test.dashboard-web.${suffix}`;
const group = `loglab.test.dashboard-web.${suffix}`;
const LINES = 60_000;
let web: WebProcess | null = null;

afterAll(async () => {
  await web?.stop();
  await removeScratch(broker, { topics: [topic], groups: [group] });
  await broker.close();
});

/** Reads the page's event stream until `done(frame)` holds; resolves with that frame. */
function frameWhere(url: string, done: (f: WebFrame) => boolean, timeoutMs: number) {
  return new Promise<WebFrame>((resolve, reject) => {
    let last: WebFrame | null = null;
    const req = request(new URL('/events', url), (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data === undefined) continue;
          last = JSON.parse(data) as WebFrame;
          if (done(last)) {
            clearTimeout(timer);
            req.destroy();
            resolve(last);
            return;
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no such frame in ${timeoutMs} ms; last: ${JSON.stringify(last)}`));
    }, timeoutMs);
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}

describe('loglab dashboard --web on Kafka', () => {
  it('shows the lines produced to the topic it follows, with their alerts', async () => {
    await broker.createTopics([{ name: topic, partitions: 3 }]);
    const port = await freePort();
    web = await startWeb([
      'dashboard',
      '--web',
      '--engine',
      'cluster',
      '--topic',
      topic,
      '--group',
      group,
      // The topic is new: from its beginning, whether the group joined before the first line or not.
      '--from-beginning',
      '--port',
      String(port),
    ]);
    expect(web.url).toBe(`http://127.0.0.1:${port}/`);
    // Connected and subscribed: the first frame names the topic, and nothing has been read.
    const first = await frameWhere(web.url, () => true, 10_000);
    expect(first.source).toBe(`${topic} on Kafka ${broker.address}, group ${group}`);
    expect(first.read).toBe(0);

    const lines = [
      ...generateLines(
        defaultOptions({
          lines: LINES,
          seed: 5,
          incidents: ['error-burst', 'ip-flood', 'scanner'],
        }),
      ),
    ];
    for (let i = 0; i < lines.length; i += 5000) {
      await broker.produce(
        topic,
        lines.slice(i, i + 5000).map((value) => ({ key: clientKey(value), value })),
      );
    }
    const frame = await frameWhere(web.url, (f) => f.read === LINES && f.lag === 0, 90_000);
    expect(frame.rejected).toBe(0);
    expect(frame.series.some((r) => r.series === 'requests' && r.count > 0)).toBe(true);

    // The alerts written to stdout are the ones on the page (the latest WEB_RECENT_ALERTS). Read
    // to the end is not yet detected: the partition merge holds a partition's last records until
    // the others have been quiet for its idle time (1 s), so wait for the alerts of the held
    // records.
    const stdoutAlerts = () =>
      web
        ?.stdout()
        .split('\n')
        .filter((l) => l !== '')
        .map(
          (l) => JSON.parse(l) as { kind: string; state: string; key: string; windowEnd: number },
        ) ?? [];
    const waitUntil = Date.now() + 10_000;
    while (
      Date.now() < waitUntil &&
      !['error-spike', 'ip-flood', 'scanner'].every((k) =>
        stdoutAlerts().some((a) => a.kind === k && a.state === 'open'),
      )
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const alerts = stdoutAlerts();
    expect(alerts.filter((a) => a.state === 'open').map((a) => a.kind)).toEqual(
      expect.arrayContaining(['error-spike', 'ip-flood', 'scanner']),
    );
    const shown = alerts.slice(-WEB_RECENT_ALERTS).map((a) => `${a.kind} ${a.key} ${a.windowEnd}`);
    const latest = await frameWhere(web.url, (f) => f.recent.length === shown.length, 10_000);
    expect(latest.recent.map((a) => `${a.kind} ${a.key} ${a.windowEnd}`)).toEqual(shown);

    expect(await web.stop()).toBe(0);
    expect(web.stderr()).toContain(`read ${LINES}, parsed ${LINES}, rejected 0`);
    expect(web.stderr()).toContain(`from ${topic} (group ${group})`);
    web = null;
  });
});
