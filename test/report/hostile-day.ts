/**
 * A generated day with every incident and its ground truth, written as files, with hostile lines
 * at its end: request lines and user agents that hold markup a page must show as text.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createGenerator,
  defaultOptions,
  generateLines,
  INCIDENT_KINDS,
} from '../../src/generate/index';

export const SCRIPT_PATH = '/<script>alert(1)</script>';
export const IMG_PATH = '/"><img src=x onerror=alert(1)>';

/** Combined lines whose path, referrer or user agent holds markup; the quotes escaped as Apache does. */
export function hostileLines(copies: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < copies; i++) {
    out.push(
      `10.6.6.6 - - [12/Mar/2024:23:59:59 +0000] "GET ${SCRIPT_PATH} HTTP/1.1" 404 12 "-" "Mozilla\\"><img src=x onerror=alert(1)>"`,
      `10.6.6.7 - - [12/Mar/2024:23:59:59 +0000] "GET ${IMG_PATH.replace('"', '\\"')} HTTP/1.1" 404 12 "\\"><img src=x onerror=alert(2)>" "<script>alert(3)</script>"`,
    );
  }
  return out;
}

export interface HostileDay {
  log: string;
  truth: string;
  lines: number;
}

/** `lines` generated lines (seed 7, every incident) and 2 × `copies` hostile ones, in `dir`. */
export function writeHostileDay(dir: string, lines: number, copies: number): HostileDay {
  const options = defaultOptions({ lines, seed: 7, incidents: [...INCIDENT_KINDS] });
  const all = [...generateLines(options), ...hostileLines(copies)];
  const log = join(dir, 'day.log');
  writeFileSync(log, `${all.join('\n')}\n`);
  const truth = join(dir, 'truth.json');
  writeFileSync(truth, JSON.stringify(createGenerator(options).truth()));
  return { log, truth, lines: all.length };
}
