/**
 * What `npm run notebooks`, `npm run jupyter` and `.ci/run` share: the tslab kernel registered
 * inside the repository (`.jupyter/`, git-ignored), the Python that has Jupyter, and the
 * package self-link that lets a notebook write `import { viz } from 'loglab'`.
 *
 *   npx tsx scripts/kernel.ts        register the kernel and print the JUPYTER_PATH to use
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const NOTEBOOKS_DIR = join(ROOT, 'notebooks');
/** Jupyter's data directory for this checkout; its `kernels/tslab` is ours. */
export const JUPYTER_DATA = join(ROOT, '.jupyter', 'share', 'jupyter');
export const KERNEL_NAME = 'tslab';

/** A failure the user can fix: printed as one line, exit code 2. */
export class SetupError extends Error {
  override name = 'SetupError';
}

/** The environment for Jupyter and its kernels: ours first on JUPYTER_PATH, the rest kept. */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const rest = base.JUPYTER_PATH ? `:${base.JUPYTER_PATH}` : '';
  return { ...base, JUPYTER_PATH: `${JUPYTER_DATA}${rest}` };
}

/**
 * Write `.jupyter/share/jupyter/kernels/tslab/kernel.json` (what `tslab install --prefix` writes),
 * naming this Node and this checkout's tslab by absolute path: Jupyter started from another
 * environment may have no `node` on PATH, or a different tslab. Returns the kernel directory.
 */
export function registerKernel(): string {
  const tslabBin = join(ROOT, 'node_modules', 'tslab', 'bin', 'tslab');
  if (!existsSync(tslabBin)) {
    throw new SetupError('tslab is not installed in node_modules: run `npm install` first');
  }
  const dir = join(JUPYTER_DATA, 'kernels', KERNEL_NAME);
  const spec = {
    argv: [process.execPath, tslabBin, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript',
    language: 'typescript',
  };
  const text = `${JSON.stringify(spec, null, 1)}\n`;
  const file = join(dir, 'kernel.json');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

/**
 * Notebooks import the library as the package `loglab`: npm links `node_modules/loglab` to
 * the repository (devDependency `"loglab": "file:."`), package.json `types` points TypeScript at
 * `src/index.ts` and `main` points Node at `src/index.cjs`. Repairs a missing link; anything
 * else is a setup error named in one line.
 */
export function checkSelfLink(): void {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const bare = (v: unknown) => String(v ?? '').replace(/^\.\//, '');
  for (const [field, want] of [
    ['main', './src/index.cjs'],
    ['types', './src/index.ts'],
  ]) {
    if (bare(pkg[field]) !== bare(want)) {
      throw new SetupError(
        `package.json needs "${field}": "${want}" for notebooks to import loglab`,
      );
    }
  }
  const link = join(ROOT, 'node_modules', String(pkg.name ?? 'loglab'));
  let exists = false;
  try {
    lstatSync(link);
    exists = true;
  } catch {
    // Missing: made below.
  }
  if (!exists) symlinkSync('..', link, 'dir');
  if (realpathSync(link) !== realpathSync(ROOT)) {
    throw new SetupError(`${link} is not a link to this checkout: run \`npm install\``);
  }
}

/** Python interpreters to try for Jupyter, in order. Debian's Jupyter lives in /usr/bin/python3. */
export function pythonCandidates(): string[] {
  const env = process.env.LOGLAB_JUPYTER_PYTHON;
  return [...(env ? [env] : []), '/usr/bin/python3', 'python3'];
}

function canImport(python: string, modules: readonly string[]): boolean {
  const r = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
  return r.status === 0;
}

/** The first Python that can import all `modules`, or undefined. */
export function findPython(modules: readonly string[]): string | undefined {
  return pythonCandidates().find((p) => canImport(p, modules));
}

/** The Python that executes notebooks headlessly (nbclient, nbformat, nbconvert). */
export function executionPython(): string {
  const python = findPython(['nbclient', 'nbformat', 'nbconvert', 'jupyter_client']);
  if (!python) {
    throw new SetupError(
      'no Python with Jupyter found: apt-get install jupyter-nbconvert python3-nbclient ' +
        'python3-nbformat jupyter-client python3-ipykernel (or set LOGLAB_JUPYTER_PYTHON)',
    );
  }
  return python;
}

/** Everything a notebook run needs; returns the Python to run Jupyter with. */
export function prepareNotebooks(): string {
  checkSelfLink();
  registerKernel();
  return executionPython();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    checkSelfLink();
    const dir = registerKernel();
    process.stdout.write(`tslab kernel registered in ${dir}\nJUPYTER_PATH=${JUPYTER_DATA}\n`);
  } catch (e) {
    if (!(e instanceof SetupError)) throw e;
    process.stderr.write(`kernel: ${e.message}\n`);
    process.exit(2);
  }
}
