#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx: there is no build step.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

register();
// A user's job module (`loglab mapreduce run ./my-job.ts`) outside this package, with no
// package.json beside it, is CommonJS to Node: without tsx's CommonJS hooks it failed to load
// ("Cannot require() ES Module … in a cycle") unless it was named .mts.
registerCjs();
await import('../src/cli/main.ts');
