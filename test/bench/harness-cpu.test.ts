import { describe, expect, it } from 'vitest';
import {
  childrenCpuMs,
  cpuTimeMs,
  formatReport,
  machineInfo,
  timeProcess,
} from '../../src/bench/harness';
import { cpuPerMessageUs, mergeRuns } from '../../src/bench/stream-cluster';

/** A child that burns `ms` of its own CPU time, then sleeps as long: CPU ≠ wall time. */
const burn = (ms: number) =>
  `const u=()=>{const c=process.cpuUsage();return (c.user+c.system)/1000};` +
  `while(u()<${ms}){} setTimeout(()=>{}, ${ms});`;

describe('CPU time of benchmark rows', () => {
  it('charges a process row with the CPU its command used, not its wall time', async () => {
    const row = await timeProcess({
      name: 'burn',
      command: process.execPath,
      args: ['-e', burn(400)],
      runs: 2,
      warmupRuns: 0,
      per: { messages: 1000 },
    });
    expect(childrenCpuMs()).toBeTypeOf('number');
    // Node's own start-up adds some tens of ms of CPU; the 400 ms sleep adds none.
    expect(row.cpuMs).toBeGreaterThanOrEqual(390);
    expect(row.cpuMs).toBeLessThan(row.meanMs - 200);
    expect(cpuPerMessageUs(row)).toBeCloseTo(((row.cpuMs as number) * 1000) / 1000, 6);
    expect(
      formatReport({
        stage: 's',
        date: '',
        machine: machineInfo(),
        rows: [row],
        ratios: [],
        notes: [],
      }),
    ).toMatch(/cpu ms/);
  });

  it('averages CPU over merged runs, and leaves it out when a run lacks it', () => {
    const base = {
      name: 'r',
      group: 'g',
      kind: 'tinybench' as const,
      opsPerSec: 1,
      meanMs: 1000,
      p50Ms: 1000,
      p99Ms: 1000,
      rmePct: 0,
      samples: 1,
      per: { messages: 2000 },
    };
    expect(
      mergeRuns([
        { ...base, cpuMs: 100 },
        { ...base, cpuMs: 300 },
      ]).cpuMs,
    ).toBe(200);
    expect(
      cpuPerMessageUs(
        mergeRuns([
          { ...base, cpuMs: 100 },
          { ...base, cpuMs: 300 },
        ]),
      ),
    ).toBe(100);
    expect(mergeRuns([{ ...base, cpuMs: 100 }, base]).cpuMs).toBeUndefined();
    expect(cpuPerMessageUs(base)).toBeUndefined();
  });

  it('reads this process CPU time as it grows', () => {
    const before = cpuTimeMs();
    const until = before + 50;
    while (cpuTimeMs() < until) {}
    expect(cpuTimeMs() - before).toBeGreaterThanOrEqual(50);
  });
});
