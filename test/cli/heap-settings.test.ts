/** The V8 heap settings of a command's process (see src/cli/heap-settings.ts). */
import { describe, expect, it } from 'vitest';
import { heapFlagsFor } from '../../src/cli/heap-settings';

describe('heap settings', () => {
  it('fix the old generation growing factor for detect only', () => {
    expect(heapFlagsFor('detect')).toEqual(['--heap-growing-percent=50']);
    expect(heapFlagsFor('generate')).toEqual([]);
    expect(heapFlagsFor(undefined)).toEqual([]);
    expect(heapFlagsFor('constructor')).toEqual([]);
  });
});
