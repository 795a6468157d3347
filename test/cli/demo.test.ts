import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runLoglab } from './run-loglab';

describe('loglab demo', () => {
  it('generates, parses, summarises and detects every injected incident of the default day', () => {
    const run = spawnSync('./bin/loglab.mjs', ['demo'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const out = run.stdout;
    expect(out).toContain('read 200000, parsed 200000, rejected 0');
    // Each incident kind: one incident, detected, no false alarm (alerts that another incident
    // explains are counted apart and vary, so those two columns are left out).
    for (const [incident, alert] of [
      ['error-burst', 'error-spike'],
      ['ip-flood', 'ip-flood'],
      ['scanner', 'scanner'],
      ['surge', 'anomaly'],
      ['outage', 'anomaly'],
      ['ddos', 'prefix-flood'],
      ['slow-scan', 'slow-scan'],
    ]) {
      const row = out
        .slice(out.indexOf('6. scored against the ground truth'))
        .split('\n')
        .find((l) => l.trimStart().startsWith(`${incident} `) && l.includes(alert));
      const cells = row?.trim().split(/\s+/) ?? [];
      expect([...cells.slice(0, 4), cells[5], ...cells.slice(7, 10)]).toEqual([
        incident,
        alert,
        '1',
        '1',
        '0',
        '1.000',
        '1.000',
        '1.000',
      ]);
    }
    // The surge's own alert is listed, not only the first requests-spike of the day.
    expect(out.match(/anomaly +site requests-spike/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a bad --lines with one line and exit code 2', async () => {
    const run = await runLoglab(['demo', '--lines', '12x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('loglab demo: --lines must be a whole number ≥ 1000, got "12x"\n');
  });
});
