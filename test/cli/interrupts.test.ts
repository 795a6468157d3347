/**
 * Ctrl-C as stages: each signal aborts the next stage, but one Ctrl-C that arrives twice (from
 * the terminal's process group and again from npm, which passes it on) counts once, also just
 * after the handler is disposed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleInterrupts, SAME_SIGNAL_MS } from '../../src/cli/streaming';

/** Longer than a disposed handler keeps listening. */
const settle = () => new Promise((resolve) => setTimeout(resolve, SAME_SIGNAL_MS + 20));

describe('handleInterrupts', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('counts signals closer than SAME_SIGNAL_MS as one Ctrl-C', async () => {
    let now = 1000;
    const before = process.listenerCount('SIGINT');
    const interrupts = handleInterrupts(2, () => now);
    const [first, second] = interrupts.stages;
    process.emit('SIGINT');
    expect([first.aborted, second.aborted]).toEqual([true, false]);
    now += 5;
    process.emit('SIGTERM');
    expect(second.aborted).toBe(false);
    now += SAME_SIGNAL_MS;
    process.emit('SIGINT');
    expect(second.aborted).toBe(true);
    interrupts.dispose();
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    await settle();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('swallows the copy of the last Ctrl-C that arrives after dispose, then lets go', async () => {
    let now = 0;
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const before = process.listenerCount('SIGINT');
    const interrupts = handleInterrupts(1, () => now);
    process.emit('SIGINT');
    expect(interrupts.stages[0].aborted).toBe(true);
    now = 20;
    interrupts.dispose();
    now = 30;
    process.emit('SIGINT');
    expect(exit).not.toHaveBeenCalled();
    await settle();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('ends the process with 130 on a real Ctrl-C after the last stage', async () => {
    let now = 0;
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const interrupts = handleInterrupts(1, () => now);
    process.emit('SIGINT');
    now = 5;
    process.emit('SIGINT');
    expect(exit).not.toHaveBeenCalled();
    now = 5 + SAME_SIGNAL_MS;
    process.emit('SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
    interrupts.dispose();
    await settle();
  });
});
