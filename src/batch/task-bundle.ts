/**
 * `task.mjs`: the one script every Hadoop task runs (`node task.mjs <jobs> map|combine|reduce`),
 * bundled with esbuild from task-main.ts and everything it imports, so that a node with only
 * Node.js (no checkout, no node_modules) runs it. Shipped to the tasks with `-files`.
 *
 * Bundled as ES module for Node 20; a `require` made from `import.meta.url` lets the CommonJS
 * code of dependencies load Node's own modules from inside the module. Found by file URL, so this
 * module stays out of the index files (notebooks compile the library as CommonJS).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoglabError } from '../errors';

export const TASK_SCRIPT = 'task.mjs';

const REQUIRE_SHIM =
  "import { createRequire as __loglabRequire } from 'node:module'; const require = __loglabRequire(import.meta.url);";

/** Found by file URL, as the embedded runner finds its worker: so it stays out of index.ts. */
const ENTRY = fileURLToPath(new URL('./task-main.ts', import.meta.url));

/** Bundles task.mjs into a fresh directory under `dir` (default the OS temp dir); its path. */
export async function bundleTaskScript(dir: string = tmpdir()): Promise<string> {
  const out = join(await mkdtemp(join(dir, 'loglab-task-')), TASK_SCRIPT);
  const esbuild = await import('esbuild');
  try {
    await esbuild.build({
      entryPoints: [ENTRY],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      banner: { js: REQUIRE_SHIM },
      logLevel: 'silent',
    });
  } catch (err) {
    throw new LoglabError(
      'JOB_FAILED',
      `cannot bundle ${TASK_SCRIPT}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    );
  }
  return out;
}
