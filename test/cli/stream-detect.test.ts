import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (args: string[], input?: string) =>
  spawnSync('./bin/loglab.mjs', args, { encoding: 'utf8', input, maxBuffer: 1 << 28 });

describe('loglab stream --detect', () => {
  it('emits through the embedded broker exactly the alerts detect gives on the same lines', () => {
    const gen = ['--lines', '60000', '--seed', '5', '--incidents', 'all'];
    const streamed = run(['stream', '--engine', 'embedded', '--detect', ...gen]);
    expect(streamed.status).toBe(0);
    const lines = run(['generate', ...gen]).stdout;
    const direct = run(['detect', '-'], lines);
    expect(direct.status).toBe(0);
    const opened = direct.stdout.split('\n').filter((l) => l.includes('"state":"open"'));
    expect(opened.length).toBeGreaterThanOrEqual(3);
    expect(streamed.stdout).toBe(direct.stdout);
    expect(streamed.stderr).toContain('read 60000, parsed 60000, rejected 0, late 0');
  });
});
