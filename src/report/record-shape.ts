/**
 * The run record's shape, down to every field the page and its charts read, so a hand-edited or
 * truncated record is refused in one line naming the field (`summary.statusCodes`,
 * `detection.alerts[3].key`) rather than failing half-way through drawing.
 *
 * A shape is a type tag, `[shape]` for an array of that shape, an object of field shapes, or
 * `nullable(shape)`. Fields the report does not read are not checked.
 */
type Tag = 'string' | 'number' | 'boolean' | 'counts' | 'cells';
class Nullable {
  constructor(readonly shape: Shape) {}
}
type Shape = Tag | Nullable | readonly [Shape] | { readonly [field: string]: Shape };

const nullable = (shape: Shape): Nullable => new Nullable(shape);
const N = 'number';
const S = 'string';
const NN = nullable(N);

const ALERT: Shape = {
  kind: S,
  key: S,
  windowStart: N,
  windowEnd: N,
  observed: N,
  threshold: N,
  severity: S,
  firstSeen: N,
  lastSeen: N,
  state: S,
};

export const RUN_RECORD_SHAPE: Shape = {
  createdAt: S,
  source: { name: S, engine: S, seed: NN },
  summary: {
    read: N,
    rejected: N,
    total: N,
    statusCodes: 'counts',
    uniqueVisitors: N,
    peakHour: nullable({ hour: N, requests: N }),
    hourly: [N],
    firstTime: nullable(S),
    lastTime: nullable(S),
    topUrls: [{ key: S, hits: N }],
    topIps: [{ key: S, hits: N }],
    topErrors: [{ url: S, status: N, count: N }],
  },
  detection: { windowMs: N, hopMs: N, latenessMs: N, late: N, alerts: [ALERT] },
  truth: nullable([{ kind: S, key: S, start: N, end: N }]),
  evaluation: nullable({
    kinds: [
      {
        incidentKind: S,
        alertKind: S,
        incidents: N,
        detected: N,
        alerts: N,
        falsePositives: N,
        precision: NN,
        recall: NN,
        f1: NN,
        delayMeanMs: NN,
        delayMaxMs: NN,
      },
    ],
    anomaly: { alerts: N, falsePositives: N, precision: NN },
  }),
  batch: nullable({
    engine: S,
    records: N,
    rejects: N,
    inputFiles: N,
    jobs: [{ name: S, description: S, columns: [S], rows: ['cells'] }],
  }),
  stages: [{ name: S, detail: S, lines: N, seconds: N }],
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCell(v: unknown): boolean {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

function tagHolds(tag: Tag, v: unknown): boolean {
  switch (tag) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'counts':
      return isObject(v) && Object.values(v).every((n) => typeof n === 'number');
    case 'cells':
      return isObject(v) && Object.values(v).every(isCell);
  }
}

/** The first field of `value` (a dotted path from `at`) that does not hold `shape`, or null. */
export function shapeMismatch(value: unknown, shape: Shape, at = ''): string | null {
  if (typeof shape === 'string') return tagHolds(shape as Tag, value) ? null : at;
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return at;
    for (let i = 0; i < value.length; i++) {
      const bad = shapeMismatch(value[i], shape[0] as Shape, `${at}[${i}]`);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (shape instanceof Nullable)
    return value === null ? null : shapeMismatch(value, shape.shape, at);
  if (!isObject(value)) return at;
  for (const [field, inner] of Object.entries(shape as Record<string, Shape>)) {
    const bad = shapeMismatch(value[field], inner, at === '' ? field : `${at}.${field}`);
    if (bad !== null) return bad;
  }
  return null;
}
