/** The same options give the same bytes; another seed gives another log. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createGenerator,
  defaultOptions,
  type GenerateOptions,
  generateChunks,
  groundTruth,
} from '../../src/generate/index';

function digest(options: GenerateOptions): string {
  const hash = createHash('sha256');
  for (const chunk of generateChunks(options)) hash.update(chunk);
  return hash.digest('hex');
}

describe('determinism', () => {
  const options = defaultOptions({
    lines: 20_000,
    incidents: ['error-burst', 'ip-flood', 'scanner'],
  });

  it('gives identical bytes for the same options', () => {
    expect(digest(options)).toBe(digest({ ...options }));
  });

  it('gives a different log for a different seed', () => {
    expect(digest({ ...options, seed: options.seed + 1 })).not.toBe(digest(options));
  });

  it('gives a different log for a different start', () => {
    expect(digest({ ...options, start: options.start + 86_400_000 })).not.toBe(digest(options));
  });

  it('restarts from the beginning on every call to records()', () => {
    const generator = createGenerator({ ...options, lines: 3_000 });
    const first = JSON.stringify([...generator.records()]);
    const second = JSON.stringify([...generator.records()]);
    expect(second).toBe(first);
    expect(JSON.parse(first)).toHaveLength(3_000);
  });

  it('knows the truth up front, equal to groundTruth(), and hands out copies', () => {
    const generator = createGenerator(options);
    const truth = generator.truth();
    expect(truth).toEqual(groundTruth(options));
    expect(truth.incidents.map((i) => i.kind).sort()).toEqual([
      'error-burst',
      'ip-flood',
      'scanner',
    ]);
    truth.incidents[0].start = 0;
    expect(generator.truth().incidents[0].start).not.toBe(0);
  });

  it('keeps the same truth for the same seed and moves it with another seed', () => {
    expect(groundTruth({ ...options, seed: 9 })).toEqual(groundTruth({ ...options, seed: 9 }));
    expect(groundTruth({ ...options, seed: 9 })).not.toEqual(groundTruth({ ...options, seed: 10 }));
  });
});
