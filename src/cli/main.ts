/** Entry point of the `loglab` command (see program.ts). */
import { main } from './program';

// `process.exitCode` rather than `process.exit()`, so stdout drains before the process ends.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
});
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
