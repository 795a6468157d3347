/**
 * A job whose code throws fails the run with a JOB_FAILED error carrying its message, whether it
 * threw on the main thread or on a worker, and nothing of the run is left in the spill folder.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import { isLoglabError } from '../../src/errors';
import { SMALL_LOG } from './fixtures/small-log';

const dir = mkdtempSync(join(tmpdir(), 'loglab-mr-fail-'));
const spills = mkdtempSync(join(tmpdir(), 'loglab-mr-spills-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(spills, { recursive: true, force: true });
});
const file = join(dir, 'small.log');
writeFileSync(file, `${SMALL_LOG}\n`);
const module = fileURLToPath(new URL('./fixtures/throwing-job.ts', import.meta.url));

async function failure(workers: number): Promise<unknown> {
  try {
    await createEmbeddedRunner({
      workers,
      splitBytes: 256,
      mainThreadSplits: 0,
      tmpDir: spills,
    }).run([{ name: 'throws', module }], { paths: [file] });
  } catch (err) {
    return err;
  }
  return null;
}

describe('a mapper that throws', () => {
  it('fails the run with its message on the main thread', async () => {
    const err = await failure(1);
    expect(isLoglabError(err) && err.code).toBe('JOB_FAILED');
    expect((err as Error).message).toBe(
      `job throws failed in map on ${file}: mapper gave up on record 3`,
    );
    expect(readdirSync(spills)).toEqual([]);
  });

  it('fails the run with the same message from a worker thread', async () => {
    const err = await failure(2);
    expect(isLoglabError(err) && err.code).toBe('JOB_FAILED');
    expect((err as Error).message).toBe(
      `job throws failed in map on ${file}: mapper gave up on record 3`,
    );
    expect(readdirSync(spills)).toEqual([]);
  });

  it('names an unknown job in one line', async () => {
    await expect(
      createEmbeddedRunner({ workers: 1 }).run([{ name: 'nope' }], { paths: [file] }),
    ).rejects.toThrow(/^no job named "nope"; there are: errors, peak-hours, /);
  });

  it('refuses a missing input path in one line', async () => {
    await expect(
      createEmbeddedRunner({ workers: 1 }).run([{ name: 'errors' }], {
        paths: [join(dir, 'absent.log')],
      }),
    ).rejects.toThrow(`cannot read ${join(dir, 'absent.log')}: no such file`);
  });
});
