import { describe, expect, it, vi } from 'vitest';

// A notebook loads the storage adapters through import() and the pipeline through require(): two
// copies of errors.ts, whose errors must still be told as LoglabErrors by either copy.
describe('LoglabError across two copies of its module', () => {
  it('an error of one copy is a LoglabError to the other, with its code', async () => {
    const first = await import('../src/errors');
    vi.resetModules();
    const second = await import('../src/errors');
    expect(second.LoglabError).not.toBe(first.LoglabError);
    const err = new second.LoglabError('NOT_FOUND', 'no such path', { context: { path: '/x' } });
    expect(err instanceof first.LoglabError).toBe(true);
    expect(first.isLoglabError(err)).toBe(true);
    expect(err.code).toBe('NOT_FOUND');
    expect(new first.LoglabError('IO', 'x') instanceof second.LoglabError).toBe(true);
  });

  it('other errors and values are not', async () => {
    const { LoglabError, isLoglabError } = await import('../src/errors');
    const lookalike = Object.assign(new Error('x'), { name: 'LoglabError', code: 'NOT_FOUND' });
    for (const value of [lookalike, new Error('x'), null, undefined, 'LoglabError', {}]) {
      expect(value instanceof LoglabError).toBe(false);
      expect(isLoglabError(value)).toBe(false);
    }
  });

  it('a subclass keeps the ordinary instanceof', async () => {
    const { LoglabError } = await import('../src/errors');
    class Narrower extends LoglabError {}
    expect(new Narrower('IO', 'x') instanceof Narrower).toBe(true);
    expect(new Narrower('IO', 'x') instanceof LoglabError).toBe(true);
    expect(new LoglabError('IO', 'x') instanceof Narrower).toBe(false);
  });
});
