/**
 * A stage of `loglab report FILE` that throws while its progress bar is drawn: the bar is stopped
 * first (the cursor shown again, the line cleared), so the error line stands on its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/program';
import { badInput } from '../../src/errors';
import type { FileRunOptions } from '../../src/pipeline/report-file-run';

vi.mock('../../src/pipeline/report-file-run', () => ({
  async runFileForReport(_path: string, _size: number, options: FileRunOptions) {
    options.progress?.start('summary', 5_000_000, 'bytes');
    options.progress?.update(2_000_000);
    throw badInput('day.log line 7: the disk went away');
  },
}));

const dir = mkdtempSync(join(tmpdir(), 'loglab-report-fail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loglab report FILE when a stage throws', () => {
  it('stops the bar before the one error line', async () => {
    const log = join(dir, 'day.log');
    writeFileSync(log, 'x\n');
    let text = '';
    const stderr = Object.assign(
      new Writable({
        write(chunk, _encoding, done) {
          text += String(chunk);
          done();
        },
      }),
      { isTTY: true, columns: 100, rows: 30 },
    );
    const stdin = new PassThrough();
    stdin.end();
    const code = await main(['report', log, '--out', join(dir, 'r.html')], {
      stdin,
      stdout: new PassThrough(),
      stderr: stderr as unknown as NodeJS.WriteStream,
      env: { ...process.env, FORCE_COLOR: '0' },
      exitCode: undefined,
    });
    expect(code).toBe(2);
    const [bar, error] = text.split('loglab report: ');
    expect(bar).toContain('MB · summary');
    // Stopped, cli-progress shows the cursor again and clears its line; a bar left running does not.
    expect(bar).toContain('\x1b[?25h');
    expect(bar.endsWith('\x1b[2K')).toBe(true);
    expect(error).toBe('day.log line 7: the disk went away\n');
  });
});
