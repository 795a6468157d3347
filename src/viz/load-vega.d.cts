export declare function loadVega(): Promise<{
  vega: typeof import('vega');
  vegaLite: typeof import('vega-lite');
}>;
