// vega (through vega-canvas) is ESM with top-level await, so it cannot be `require`d. Notebooks
// load our TypeScript as CommonJS, where a TypeScript `import()` is rewritten to `require`; a real
// dynamic import() survives only in a plain CommonJS file like this one. ESM callers (tsx,
// vitest) import this file too, so there is one way in for both.
'use strict';

let loading;

/** vega and vega-lite, imported once per process. */
function loadVega() {
  if (!loading) {
    loading = Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({
      vega,
      vegaLite,
    }));
  }
  return loading;
}

exports.loadVega = loadVega;
