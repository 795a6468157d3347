export * from './aggregator';
export * from './format';
export * from './goaccess';
export * from './scan';
export * from './summarize';
export * from './types';
