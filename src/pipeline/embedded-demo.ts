/**
 * The demo's run (demo-run.ts) on the embedded engine, for code that loads the library as a
 * whole: notebooks and labs. It picks the ports `loglab demo` picks without --cluster (the
 * in-process broker, a local lake, the embedded runner) and closes them afterwards. demo-run
 * and the embedded runner start threads by file URL, so both are imported when asked for, as
 * batch/runners.ts does, and this file can stay in pipeline/index.ts.
 */
import { join } from 'node:path';
import type { DemoRun } from './demo-run';

export interface EmbeddedDemoOptions {
  readonly lines: number;
  readonly seed: number;
  /** Where run.json and report.html go; the lake is `lake/` inside it unless `lakeDir` is set. */
  readonly outDir: string;
  /** The demo's lake directory, emptied first. Default `<outDir>/lake`. */
  readonly lakeDir?: string;
  /** Rows in each top list (10). */
  readonly top?: number;
}

/** Every stage of the pipeline over a generated day, in this process; the record and page written. */
export async function runEmbeddedDemo(options: EmbeddedDemoOptions): Promise<DemoRun> {
  const [{ createBroker, createStore, loadConfig }, { createEmbeddedRunner }, { runDemo }] =
    await Promise.all([
      import('../config'),
      import('../batch/embedded-runner'),
      import('./demo-run'),
    ]);
  const config = loadConfig();
  const lakeDir = options.lakeDir ?? join(options.outDir, 'lake');
  const { STREAM_RETENTION_BYTES } = await import('./run-stream');
  // The demo's stream holds its producer back for its readers, as `loglab stream` does.
  const broker = createBroker('embedded', config, {
    memory: { retentionBytes: STREAM_RETENTION_BYTES },
  });
  const store = await createStore('embedded', config, { lakeDir });
  try {
    return await runDemo({
      lines: options.lines,
      seed: options.seed,
      top: options.top,
      outDir: options.outDir,
      broker,
      store,
      runner: createEmbeddedRunner(),
      batchInput: join(lakeDir, 'loglab', 'raw'),
    });
  } finally {
    await broker.close();
    await store.close();
  }
}
