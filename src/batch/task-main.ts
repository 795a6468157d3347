/**
 * The entry point bundled into `task.mjs` (task-bundle.ts): runs one Streaming task over this
 * process's stdin and stdout and exits with its code once stdout is flushed.
 */
import { taskMain } from './task';

taskMain(process.argv.slice(2), process.stdin, process.stdout, process.stderr).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`loglab task: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
