/**
 * Lab 04: the two steps that make the archiver exactly once. Read README.md first; it has the
 * rules and hints.
 *
 * Fill in the two functions marked TODO. Run `npm run lab -- 04` to grade this file: the tests
 * plug your functions into loglab's real archiver and kill it at chosen moments.
 * Keep the exported names and signatures: the tests import them.
 */
import { finished } from 'node:stream/promises';
import type { Roll } from '../../src/pipeline/archive-roller';
import { manifestPath, manifestText } from '../../src/pipeline/lake-recovery';
import {
  DEADLETTER_ROOT,
  isRawFile,
  parseRawFileName,
  RAW_ROOT,
} from '../../src/storage/lake-layout';
import { isDirectory, type Store } from '../../src/storage/store';

// What you will need, imported for you.
void [manifestPath, manifestText, DEADLETTER_ROOT, RAW_ROOT, isRawFile, parseRawFileName];
void [isDirectory, finished];

/**
 * TODO 1: where each partition of `topic` resumes, read from the file names in the lake alone.
 * Walk RAW_ROOT (every date=…/hour=… below it, but not `_tmp`) and DEADLETTER_ROOT; for every
 * file whose name parses as a raw file of `topic`, the partition resumes at `lastOffset + 1`;
 * keep the largest per partition. A directory that does not exist yet holds nothing.
 */
export async function nextOffsets(store: Store, topic: string): Promise<Map<number, number>> {
  throw new Error(`not implemented: nextOffsets(${store.address}, ${topic})`);
}

/**
 * TODO 2: make a roll visible, then commit it. The roll's files are complete under `_tmp/`
 * (`roll.files[i].tmpPath`); each goes to `roll.files[i].finalPath`. With more than one file,
 * first write the manifest (manifestPath / manifestText), rename them all, delete the manifest.
 * Call `commit()` last, and only once everything is in place.
 */
export async function publishRoll(
  store: Store,
  topic: string,
  roll: Roll,
  commit: () => Promise<void>,
): Promise<void> {
  void commit;
  throw new Error(
    `not implemented: publishRoll(${store.address}, ${topic}, partition ${roll.partition})`,
  );
}
