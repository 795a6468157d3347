/**
 * The alert lines a detect session keeps for the dashboards: the latest WEB_RECENT_ALERTS for
 * the web page's frames, each with the time it was emitted, oldest first.
 */
import { describe, expect, it } from 'vitest';
import { openDetectSession, WEB_RECENT_ALERTS } from '../../src/cli/detect-session';
import { defaultOptions, generateLines, INCIDENT_KINDS } from '../../src/generate/index';
import { formatAlert } from '../../src/realtime/alert';

describe('the alert lines a detect session keeps', () => {
  it('are the latest 100 of those emitted, in order', async () => {
    const session = await openDetectSession(
      { windowMs: 300_000, hopMs: 60_000, latenessMs: 60_000 },
      'auto',
      false,
    );
    const all: string[] = [];
    session.onAlert((alert) => all.push(formatAlert(alert)));
    const lines = [
      ...generateLines(defaultOptions({ seed: 3, lines: 400_000, incidents: [...INCIDENT_KINDS] })),
    ];
    session.detector.addLines(lines);
    session.detector.finish();
    // Enough alert lines that the oldest were let go.
    expect(all.length).toBeGreaterThan(WEB_RECENT_ALERTS);
    expect(WEB_RECENT_ALERTS).toBe(100);
    expect(session.recent.map((r) => formatAlert(r.alert))).toEqual(all.slice(-WEB_RECENT_ALERTS));
  });
});
