/**
 * `loglab summary` against GoAccess (Debian's 1.7), both run as commands on the same file:
 * requests, requests per status code, unique visitors, requests per hour and the hits of the top
 * URLs and addresses must be the same numbers. How GoAccess counts each figure, and why the
 * comparison sums a URL over GoAccess's three request panels, is in src/summary/goaccess.ts.
 *
 * Without GoAccess installed the tests are skipped, saying why, except under CI, which installs
 * it: there a missing GoAccess fails (goaccess-run.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithGoAccess, type GoAccessFigures } from '../../src/summary/goaccess';
import type { Summary } from '../../src/summary/types';
import { ELASTIC, realLogPath } from '../log/real-logs';
import { GOACCESS_MISSING, goaccessTitle, runGoAccess } from './goaccess-run';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOGLAB = join(ROOT, 'bin', 'loglab.mjs');
const goaccessPresent = GOACCESS_MISSING === null;

const dir = mkdtempSync(join(tmpdir(), 'loglab-goaccess-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function goaccess(file: string): GoAccessFigures {
  return runGoAccess(file, dir);
}

function loglab(args: string[]): string {
  return execFileSync(process.execPath, [LOGLAB, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
}

function summary(file: string, top = 10): Summary {
  return JSON.parse(
    loglab(['summary', file, '--json', '--format', 'combined', '--top', String(top)]),
  );
}

describe.skipIf(!goaccessPresent)(
  goaccessTitle(`loglab summary and GoAccess on ${ELASTIC}`),
  () => {
    const file = realLogPath(ELASTIC);
    let ours: Summary;
    let all: Summary;
    let theirs: GoAccessFigures;

    beforeAll(() => {
      ours = summary(file);
      all = summary(file, 1_000_000);
      theirs = goaccess(file);
    });

    it('reads and counts every line, as GoAccess does: 10,000, one of them truncated', () => {
      // Line 8899 is cut off inside its user agent: GoAccess counts it, and so do we.
      expect([ours.read, ours.total, ours.rejected, ours.truncated]).toEqual([
        10_000, 10_000, 0, 1,
      ]);
      expect([theirs.total, theirs.valid, theirs.failed]).toEqual([10_000, 10_000, 0]);
    });

    it('agrees on requests, every status, every hour, top URLs and top addresses', () => {
      expect(compareWithGoAccess(ours, theirs)).toEqual([]);
      expect(ours.statusCodes).toEqual(theirs.statusCodes);
      expect(ours.statusCodes['200']).toBe(9126);
      expect(ours.hourly).toEqual(theirs.hourly);
    });

    it('agrees on the hits of every address, not only the top ones', () => {
      // Every URL would not do: GoAccess decodes %-escapes, merging URLs that we keep apart.
      expect(compareWithGoAccess({ ...all, topUrls: ours.topUrls }, theirs)).toEqual([]);
      expect(all.topIps.length).toBe(theirs.hostHits.size);
    });

    it('agrees on unique visitors', () => {
      expect(ours.uniqueVisitors).toBe(theirs.uniqueVisitors);
    });

    it('compares top URLs across GoAccess panels (static files and 404s included)', () => {
      // The most requested URL here is /favicon.ico: GoAccess puts its 404s in "not found" and
      // the rest in "static requests"; only the sum matches.
      expect(ours.topUrls.length).toBe(10);
      expect(ours.topUrls.some((u) => u.key === '/favicon.ico')).toBe(true);
      expect(ours.topIps.length).toBe(10);
    });
  },
);

describe.skipIf(!goaccessPresent)(
  goaccessTitle('loglab summary and GoAccess on a generated log with incidents'),
  () => {
    const file = join(dir, 'generated.log');
    let ours: Summary;
    let theirs: GoAccessFigures;

    beforeAll(() => {
      loglab(['generate', '--lines', '50000', '--seed', '7', '--incidents', 'all', '-o', file]);
      ours = summary(file, 25);
      theirs = goaccess(file);
    }, 60_000);

    it('parses every line, as GoAccess does', () => {
      expect([ours.read, ours.total, ours.rejected]).toEqual([50_000, 50_000, 0]);
      expect([theirs.total, theirs.valid, theirs.failed]).toEqual([50_000, 50_000, 0]);
    });

    it('agrees on every compared figure', () => {
      expect(compareWithGoAccess(ours, theirs)).toEqual([]);
      expect(ours.uniqueVisitors).toBe(theirs.uniqueVisitors);
    });

    it('sees the injected incidents in the figures it compares', () => {
      // error-burst → 5xx answers; scanner → many 404s from one address; ip-flood → a busy address.
      const fiveHundreds = Object.entries(ours.statusCodes)
        .filter(([code]) => code.startsWith('5'))
        .reduce((n, [, c]) => n + c, 0);
      expect(fiveHundreds).toBeGreaterThan(0);
      expect(ours.statusCodes['404']).toBeGreaterThan(0);
      expect(ours.topErrors.length).toBeGreaterThan(0);
    });
  },
);
