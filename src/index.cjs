// The CommonJS entry of the package (package.json "main"), for tslab notebooks: tslab runs
// cells as CommonJS and cannot load our TypeScript from outside the notebook's folder, so
// `import … from 'loglab'` lands here and tsx compiles the sources on the fly.
'use strict';

const { register } = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { require: tsxRequire } = require('tsx/cjs/api');

// Some modules are loaded lazily with `import()` (config.createStore loads a lake adapter only
// when one is asked for), and Node's own ESM loader cannot resolve TypeScript: register tsx's
// ESM hooks too. Straight from their file: tsx 4.23's `tsx/esm/api` cannot be required (it
// looks for its hooks one directory too deep).
const tsxDir = dirname(require.resolve('tsx/package.json'));
register(pathToFileURL(join(tsxDir, 'dist', 'esm', 'index.mjs')), { data: {} });

module.exports = tsxRequire('./index.ts', __filename);
