/**
 * The dependency directions the design states, checked over the import specifiers of every
 * file in src/ (static, dynamic and `typeof import`), so a regression fails `npm test`:
 *
 * - log/ imports nothing of ours outside log/;
 * - viz/ takes plain rows: it imports only viz/, log/ (the record every layer shares) and
 *   errors.ts, never a stage's module (generate, stream, realtime, summary, bench, …);
 * - no stage imports cli/ or pipeline/: only cli/, pipeline/ and index.ts may;
 * - CLI commands never import each other (what they share lives in src/cli);
 * - the Broker port imports nothing of ours (adapters import it, never the other way round);
 * - the Store port imports nothing of ours, the lake layout only errors.ts, and storage/ takes no
 *   other stage: it imports only storage/ and errors.ts.
 *
 * A regex over the sources is enough: specifiers are plain relative strings in this codebase.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|cts|mts|cjs|mjs|js)$/.test(e.name) ? [path] : [];
  });
}

const IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** `file` → the src-relative paths it imports (no extension), e.g. "stream/broker". */
function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const target = relative(SRC, resolve(dirname(file), m[1])).replace(/\.(ts|cjs|js)$/, '');
    out.push(target.split('\\').join('/'));
  }
  return out;
}

const edges = sourceFiles(SRC).flatMap((file) => {
  const from = relative(SRC, file).split('\\').join('/');
  return importsOf(file, readFileSync(file, 'utf8')).map((to) => ({ from, to }));
});

const top = (path: string) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : path);
const show = (list: { from: string; to: string }[]) => list.map((e) => `${e.from} -> ${e.to}`);

describe('dependency directions', () => {
  it('reads the imports of src (the check itself sees what it must)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'cli/commands/stream.ts', to: 'pipeline/run-stream' });
    // Dynamic imports count too.
    expect(edges).toContainEqual({ from: 'cli/commands/detect.ts', to: 'pipeline/index' });
    expect(importsOf(join(SRC, 'viz/x.ts'), "type T = typeof import('../stream/y');")).toEqual([
      'stream/y',
    ]);
  });

  it('log/ imports nothing of ours outside log/', () => {
    expect(show(edges.filter((e) => top(e.from) === 'log' && top(e.to) !== 'log'))).toEqual([]);
  });

  it('viz/ imports no stage', () => {
    const allowed = new Set(['viz', 'log', 'errors']);
    expect(show(edges.filter((e) => top(e.from) === 'viz' && !allowed.has(top(e.to))))).toEqual([]);
  });

  it('only cli/, pipeline/ and index.ts import cli/ or pipeline/', () => {
    const wiring = new Set(['cli', 'pipeline', 'index.ts']);
    const bad = edges.filter(
      (e) => !wiring.has(top(e.from)) && (top(e.to) === 'cli' || top(e.to) === 'pipeline'),
    );
    expect(show(bad)).toEqual([]);
    // pipeline/ is wiring for the CLI and notebooks; it never reaches back into the CLI.
    expect(show(edges.filter((e) => top(e.from) === 'pipeline' && top(e.to) === 'cli'))).toEqual(
      [],
    );
  });

  it('CLI commands do not import each other', () => {
    const bad = edges.filter(
      (e) => e.from.startsWith('cli/commands/') && e.to.startsWith('cli/commands/'),
    );
    expect(show(bad)).toEqual([]);
  });

  it('the Broker port imports nothing of ours', () => {
    expect(show(edges.filter((e) => e.from === 'stream/broker.ts'))).toEqual([]);
  });

  it('the Store port imports nothing of ours; storage/ imports no other stage', () => {
    expect(show(edges.filter((e) => e.from === 'storage/store.ts'))).toEqual([]);
    expect(
      show(edges.filter((e) => e.from === 'storage/lake-layout.ts' && e.to !== 'errors')),
    ).toEqual([]);
    const allowed = new Set(['storage', 'errors']);
    expect(show(edges.filter((e) => top(e.from) === 'storage' && !allowed.has(top(e.to))))).toEqual(
      [],
    );
    // The check sees storage's imports at all.
    expect(edges).toContainEqual({ from: 'storage/local-store.ts', to: 'storage/lake-layout' });
  });
});
