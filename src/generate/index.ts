/** The generator's public surface: options and defaults, the generator, ground truth, durations. */
export type { Client, ClientKind } from './clients';
export { DIURNAL_WEIGHTS, diurnalWeight } from './diurnal';
export { formatDuration, parseDuration } from './duration';
export {
  createGenerator,
  DEFAULT_FORMAT,
  DEFAULT_LINES,
  DEFAULT_SEED,
  DEFAULT_SPAN_MS,
  DEFAULT_START,
  defaultOptions,
  type GenerateOptions,
  type Generator,
  generateBuffers,
  generateChunks,
  generateLines,
  generateTimedLines,
  groundTruth,
  validateOptions,
} from './generator';
export {
  type GroundTruth,
  INCIDENT_KINDS,
  type Incident,
  type IncidentKind,
} from './incidents';
export { BUCKET_MS, ERROR_LIMIT, NOT_FOUND_LIMIT, REQUEST_LIMIT } from './limits';
export { createRandom, type Random } from './random';
