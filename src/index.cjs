// The CommonJS entry of the package (package.json "main"), for tslab notebooks: tslab runs
// cells as CommonJS and cannot load our TypeScript from outside the notebook's folder, so
// `import … from 'loglab'` lands here and tsx compiles the sources on the fly.
'use strict';

const { require: tsxRequire } = require('tsx/cjs/api');

module.exports = tsxRequire('./index.ts', __filename);
