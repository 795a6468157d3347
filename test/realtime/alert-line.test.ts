/**
 * An alert as an NDJSON line: its key is a path or an address from a log line, so no control
 * character reaches a terminal that shows the line raw. JSON.stringify escapes only C0; DEL and
 * C1 (CSI is 0x9b) are written as \u00XX, the same string to a JSON reader.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/realtime/alert';
import { formatAlert } from '../../src/realtime/alert';

const alert: Alert = {
  kind: 'error-spike',
  key: '/y\u009b31mC1\u007f\u001b[0m',
  windowStart: 1,
  windowEnd: 2,
  observed: 30,
  threshold: 15,
  severity: 'critical',
  firstSeen: 2,
  lastSeen: 2,
  state: 'open',
};

describe('formatAlert', () => {
  it('writes DEL and C1 control characters of the key as \\u00XX, C0 as JSON does', () => {
    const line = formatAlert(alert);
    expect(line).toBe(
      '{"kind":"error-spike","key":"/y\\u009b31mC1\\u007f\\u001b[0m","windowStart":1,"windowEnd":2,"observed":30,"threshold":15,"severity":"critical","firstSeen":2,"lastSeen":2,"state":"open"}\n',
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(JSON.parse(line).key).toBe(alert.key);
  });
});
