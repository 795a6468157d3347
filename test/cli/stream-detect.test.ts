import { describe, expect, it } from 'vitest';
import { runLoglab } from './run-loglab';

const run = (args: string[], input?: string) => runLoglab(args, { input });

describe('loglab stream --detect', () => {
  it('emits through the embedded broker exactly the alerts detect gives on the same lines', async () => {
    const gen = ['--lines', '60000', '--seed', '5', '--incidents', 'all'];
    const streamed = await run(['stream', '--engine', 'embedded', '--detect', ...gen]);
    expect(streamed.code).toBe(0);
    const lines = (await run(['generate', ...gen])).stdout;
    const direct = await run(['detect', '-'], lines);
    expect(direct.code).toBe(0);
    const opened = direct.stdout.split('\n').filter((l) => l.includes('"state":"open"'));
    expect(opened.length).toBeGreaterThanOrEqual(3);
    expect(streamed.stdout).toBe(direct.stdout);
    const stderr = streamed.stderr.trimEnd().split('\n');
    expect(stderr[stderr.length - 2]).toMatch(/^read 60000, parsed 60000, rejected 0, late 0, /);
    // The last line: the whole path's rate, from the first line generated to the last detected.
    expect(stderr[stderr.length - 1]).toMatch(
      /^end to end 60000 lines generated, produced, consumed and detected in \d+\.\d\d s: [\d,]+ lines\/s sustained$/,
    );
  });
});
