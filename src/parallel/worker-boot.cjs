// Worker threads do not inherit the main thread's tsx loader. tsx's CommonJS hook registers inside
// this thread; its ESM loader would start a loader thread of its own, which costs several times
// longer to boot than the work it would save on a mid-sized file.
require('tsx/cjs/api').register();
require(require('node:worker_threads').workerData.entry);
