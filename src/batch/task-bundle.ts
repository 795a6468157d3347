/**
 * `task.mjs`: the one script every Hadoop task runs (`node task.mjs <jobs> map|combine|reduce`),
 * bundled with esbuild from task-main.ts and everything it imports, so that a node with only
 * Node.js (no checkout, no node_modules) runs it. Shipped to the tasks with `-files`.
 *
 * Bundled as ES module for Node 20; a `require` made from `import.meta.url` lets the CommonJS
 * code of dependencies load Node's own modules from inside the module. Found by file URL, so this
 * module stays out of the index files (notebooks compile the library as CommonJS).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoglabError } from '../errors';

export const TASK_SCRIPT = 'task.mjs';

const REQUIRE_SHIM =
  "import { createRequire as __loglabRequire } from 'node:module'; const require = __loglabRequire(import.meta.url);";

/** Found by file URL, as the embedded runner finds its worker: so it stays out of index.ts. */
const ENTRY = fileURLToPath(new URL('./task-main.ts', import.meta.url));
const TASK = fileURLToPath(new URL('./task.ts', import.meta.url));

/** esbuild's first message, with where it is. */
function firstError(err: unknown): string {
  const e = (
    err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }
  ).errors?.[0];
  if (e === undefined) return err instanceof Error ? err.message.split('\n')[0] : String(err);
  return e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text;
}

/** A job module to bundle with the built-ins: its job's name and the module's absolute path. */
export interface BundledModule {
  readonly name: string;
  readonly module: string;
}

/** The entry of a script that also carries job modules: task-main.ts with them registered. */
function entrySource(modules: readonly BundledModule[]): string {
  const imports = modules.map((m, i) => `import * as m${i} from ${JSON.stringify(m.module)};`);
  const table = modules.map((m, i) => `${JSON.stringify(m.name)}: m${i}.default ?? m${i}`);
  return `${imports.join('\n')}
import { taskMain } from ${JSON.stringify(TASK)};
taskMain(process.argv.slice(2), process.stdin, process.stdout, process.stderr, { ${table.join(', ')} }).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write('loglab task: ' + (err && err.message) + '\\n'); process.exitCode = 1; },
);
`;
}

/**
 * Bundles task.mjs, with the job `modules` if any, into a fresh directory under `dir` (default
 * the OS temp dir); its path.
 */
export async function bundleTaskScript(
  modules: readonly BundledModule[] = [],
  dir: string = tmpdir(),
): Promise<string> {
  const out = join(await mkdtemp(join(dir, 'loglab-task-')), TASK_SCRIPT);
  const esbuild = await import('esbuild');
  try {
    await esbuild.build({
      ...(modules.length === 0
        ? { entryPoints: [ENTRY] }
        : { stdin: { contents: entrySource(modules), resolveDir: dirname(ENTRY), loader: 'ts' } }),
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      banner: { js: REQUIRE_SHIM },
      logLevel: 'silent',
    });
  } catch (err) {
    await rm(dirname(out), { recursive: true, force: true });
    throw new LoglabError('JOB_FAILED', `cannot bundle ${TASK_SCRIPT}: ${firstError(err)}`);
  }
  return out;
}
