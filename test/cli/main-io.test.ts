/**
 * `main(argv, io)` runs a command against the streams it is given: runs that overlap in one
 * process each get exactly their own output, as if each had a process of its own.
 */
import { describe, expect, it } from 'vitest';
import { runLoglab } from './run-loglab';

/** produced, consumed and the checksums of `loglab stream --json` for a seed. */
function figures(stdout: string) {
  const s = JSON.parse(stdout);
  return [s.produced, s.consumed, s.checksum.produced, s.checksum.consumed];
}

describe('main(argv, io)', () => {
  it('keeps the output of overlapping runs apart', async () => {
    const stream = (seed: string) => [
      'stream',
      '--engine',
      'embedded',
      '--lines',
      '5000',
      '--seed',
      seed,
      '--json',
    ];
    const alone = [await runLoglab(stream('5')), await runLoglab(stream('6'))];
    // Both streams produce and consume at once, each awaiting its broker many times over.
    const together = await Promise.all([runLoglab(stream('5')), runLoglab(stream('6'))]);
    expect(figures(alone[0].stdout)).not.toEqual(figures(alone[1].stdout));
    for (const i of [0, 1]) {
      expect(together[i].code).toBe(0);
      expect(together[i].stdout.split('\n').length).toBe(2);
      expect(figures(together[i].stdout)).toEqual(figures(alone[i].stdout));
    }
  });
});
