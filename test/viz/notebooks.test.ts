/**
 * The notebooks as committed: no outputs, the tslab kernel, and the library imported the one
 * way that works both in CI and in Jupyter (`from 'loglab'`, see notebooks/README.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

interface Notebook {
  nbformat: number;
  metadata: { kernelspec?: { name?: string; language?: string } };
  cells: Cell[];
}

const dir = 'notebooks';
const names = readdirSync(dir).filter((f) => f.endsWith('.ipynb'));
const text = (c: Cell) => (Array.isArray(c.source) ? c.source.join('') : c.source);

describe('notebooks as committed', () => {
  it('exist, named NN-topic.ipynb', () => {
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^\d\d-[a-z0-9-]+\.ipynb$/);
  });

  for (const name of names) {
    const nb = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Notebook;
    const code = nb.cells.filter((c) => c.cell_type === 'code');

    it(`${name}: tslab kernel, no outputs, no execution counts`, () => {
      expect(nb.nbformat).toBe(4);
      expect(nb.metadata.kernelspec?.name).toBe('tslab');
      expect(code.filter((c) => (c.outputs ?? []).length > 0).map((c) => text(c))).toEqual([]);
      expect(code.filter((c) => c.execution_count != null).map((c) => text(c))).toEqual([]);
    });

    it(`${name}: imports the library as 'loglab', never through a relative path`, () => {
      const sources = code.map(text);
      expect(sources.some((s) => /from 'loglab'/.test(s))).toBe(true);
      expect(sources.filter((s) => /from '\.\.?\//.test(s))).toEqual([]);
    });
  }
});
