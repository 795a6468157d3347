/**
 * GoAccess (Debian's 1.7) run as a command on a log file, for the tests that hold loglab's
 * figures to it. Without GoAccess installed those tests skip, saying why, except under CI,
 * which installs it: there a missing GoAccess fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GoAccessFigures, goaccessFigures } from '../../src/summary/goaccess';

const version = spawnSync('goaccess', ['--version'], { encoding: 'utf8' });

/** Why the GoAccess tests skip, or null when GoAccess is installed. */
export const GOACCESS_MISSING =
  version.status === 0 ? null : 'GoAccess is not installed (apt-get install goaccess)';
if (GOACCESS_MISSING !== null) {
  if (process.env.CI) throw new Error('GoAccess is not installed: CI must install Debian goaccess');
  console.warn(`${GOACCESS_MISSING}: GoAccess agreement tests skipped`);
}

/** A suite title that says why it is skipped when GoAccess is missing. */
export function goaccessTitle(title: string): string {
  return GOACCESS_MISSING === null ? title : `${title} (skipped: ${GOACCESS_MISSING})`;
}

/**
 * GoAccess's JSON report of `file` (combined format, no config file read, every row of every
 * panel), written into `dir`, read as figures.
 */
export function runGoAccess(file: string, dir: string): GoAccessFigures {
  const out = join(dir, `goaccess-${Math.random().toString(36).slice(2)}.json`);
  execFileSync(
    'goaccess',
    [file, '--log-format=COMBINED', '--no-global-config', '--max-items=1000000', '-o', out],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // GoAccess writes raw bytes inside JSON strings: one character per byte.
  return goaccessFigures(JSON.parse(readFileSync(out, 'latin1')));
}
