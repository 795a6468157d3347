/**
 * Which implementation a lab's tests grade. `npm test` grades the reference `solution.ts`;
 * `npm run lab -- NN` sets LOGLAB_LAB_TARGET=exercise to grade the learner's `exercise.ts`.
 * The test title names the file it ran, so a pass can never be mistaken for the other one.
 */
export type LabTarget = 'exercise' | 'solution';

export function labTarget(): LabTarget {
  const value = process.env.LOGLAB_LAB_TARGET ?? 'solution';
  if (value !== 'exercise' && value !== 'solution') {
    throw new Error(`LOGLAB_LAB_TARGET must be "exercise" or "solution", not "${value}"`);
  }
  return value;
}

/**
 * Import the lab's implementation next to the test file: `await loadLab<typeof import('./solution')>(import.meta.url)`.
 */
export async function loadLab<T>(
  testFileUrl: string,
): Promise<{ impl: T; target: LabTarget; file: string }> {
  const target = labTarget();
  const url = new URL(`./${target}.ts`, testFileUrl);
  const impl = (await import(url.href)) as T;
  return { impl, target, file: `${target}.ts` };
}
