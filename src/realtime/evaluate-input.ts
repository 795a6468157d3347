/**
 * Reading what `loglab evaluate` scores: alert lines (NDJSON, as the engine writes them) and the
 * generator's ground truth. Anything that cannot be used is one BAD_INPUT sentence naming where.
 */
import { badInput } from '../errors';
import { ALERT_KINDS, type Alert, isAlertKind } from './alert';
import type { Truth } from './evaluate';

const ALERT_NUMBERS = [
  'windowStart',
  'windowEnd',
  'observed',
  'threshold',
  'firstSeen',
  'lastSeen',
] as const;

/** Alert lines from NDJSON text; blank lines are skipped, anything else wrong is BAD_INPUT. */
export function parseAlertLines(text: string, name = 'alerts'): Alert[] {
  const out: Alert[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const where = `${name} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw badInput(`${where} is not JSON`, { line: i + 1 });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw badInput(`${where} is not an alert object`, { line: i + 1 });
    }
    const a = value as Record<string, unknown>;
    if (!isAlertKind(a.kind)) {
      throw badInput(
        `${where}: kind must be ${ALERT_KINDS.slice(0, -1).join(', ')} or ${ALERT_KINDS.at(-1)}`,
        {
          line: i + 1,
        },
      );
    }
    if (typeof a.key !== 'string')
      throw badInput(`${where}: key must be a string`, { line: i + 1 });
    for (const field of ALERT_NUMBERS) {
      if (typeof a[field] !== 'number' || !Number.isFinite(a[field])) {
        throw badInput(`${where}: ${field} must be a number`, { line: i + 1 });
      }
    }
    if (a.state !== 'open' && a.state !== 'resolved') {
      throw badInput(`${where}: state must be open or resolved`, { line: i + 1 });
    }
    out.push({
      kind: a.kind,
      key: a.key,
      windowStart: a.windowStart as number,
      windowEnd: a.windowEnd as number,
      observed: a.observed as number,
      threshold: a.threshold as number,
      severity: a.severity === 'critical' ? 'critical' : 'warning',
      firstSeen: a.firstSeen as number,
      lastSeen: a.lastSeen as number,
      state: a.state,
    });
  }
  return out;
}

/** Ground truth from its JSON text ({"incidents":[{kind,key,start,end}]}). */
export function parseTruth(text: string, name = 'truth'): Truth {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badInput(`${name} is not JSON`);
  }
  const incidents = (value as { incidents?: unknown } | null)?.incidents;
  if (!Array.isArray(incidents)) {
    throw badInput(`${name} has no "incidents" list (expected {"incidents":[…]})`);
  }
  return {
    incidents: incidents.map((item, i) => {
      const x = item as Record<string, unknown> | null;
      if (
        x === null ||
        typeof x !== 'object' ||
        typeof x.kind !== 'string' ||
        typeof x.key !== 'string' ||
        typeof x.start !== 'number' ||
        typeof x.end !== 'number'
      ) {
        throw badInput(`${name}: incident ${i + 1} needs kind, key, start and end`);
      }
      return { kind: x.kind, key: x.key, start: x.start, end: x.end };
    }),
  };
}
