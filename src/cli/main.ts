/** Entry point of the `loglab` command (see program.ts). */
import { applyHeapSettings } from './heap-settings';
import { main } from './program';

const argv = process.argv.slice(2);
// The process runs one command: its heap settings, if it has any, apply from the start.
applyHeapSettings(argv[0]);

// `process.exitCode` rather than `process.exit()`, so stdout drains before the process ends.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
});
main(argv).then((code) => {
  process.exitCode = code;
});
