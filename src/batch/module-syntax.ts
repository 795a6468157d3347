/**
 * Why a job module (`loglab mapreduce run ./my-job.ts`) did not load, in one line that names the
 * file. Node's loader, under tsx, reports a syntax error in a TypeScript module as "Cannot
 * require() ES Module … in a cycle", which says neither what nor where; esbuild (already used to
 * bundle task.mjs) parses the file again and gives the line, column and what it expected.
 * Asked only after a load failed, so a good module costs nothing.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

interface EsbuildMessage {
  readonly text: string;
  readonly location?: { readonly line: number; readonly column: number } | null;
}

/** `path:line:column: text` of the module's first syntax error, or null when it parses. */
export async function moduleSyntaxError(path: string, shown = path): Promise<string | null> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  const esbuild = await import('esbuild');
  const ext = extname(path);
  try {
    await esbuild.transform(source, {
      loader: ext === '.ts' || ext === '.mts' ? 'ts' : 'js',
      format: 'esm',
      logLevel: 'silent',
    });
    return null;
  } catch (err) {
    const first = (err as { errors?: EsbuildMessage[] }).errors?.[0];
    if (first === undefined) return null;
    // esbuild counts columns from 0; editors and compilers from 1.
    const at = first.location ? `:${first.location.line}:${first.location.column + 1}` : '';
    return `${shown}${at}: ${first.text}`;
  }
}
