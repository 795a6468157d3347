/**
 * Open Jupyter on notebooks/ with this checkout's tslab kernel registered.
 *
 *   npm run jupyter                  JupyterLab if installed, else the classic Notebook
 *   npm run jupyter -- --no-browser  extra arguments go to Jupyter
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  checkSelfLink,
  findPython,
  jupyterEnv,
  NOTEBOOKS_DIR,
  registerKernel,
  SetupError,
} from './kernel';

const USAGE = `usage: npm run jupyter -- [jupyter arguments]

Registers the tslab (TypeScript) kernel in .jupyter/ and opens JupyterLab, or the classic
Notebook when Lab is not installed, in notebooks/. Pick the kernel "TypeScript".
`;

interface Launcher {
  command: string;
  args: string[];
}

function onPath(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** JupyterLab first, then Notebook: as a command on PATH (pip, pipx) or a Python module. */
function findJupyter(): Launcher | undefined {
  for (const [command, module] of [
    ['jupyter-lab', 'jupyterlab'],
    ['jupyter-notebook', 'notebook'],
  ] as const) {
    if (onPath(command)) return { command, args: [] };
    const python = findPython([module]);
    if (python) return { command: python, args: ['-m', module] };
  }
  return undefined;
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  checkSelfLink();
  registerKernel();
  const jupyter = findJupyter();
  if (!jupyter) {
    throw new SetupError(
      'Jupyter is not installed: `pip install jupyterlab` (or `apt-get install jupyter-notebook`)',
    );
  }
  const child = spawn(jupyter.command, [...jupyter.args, ...argv], {
    cwd: NOTEBOOKS_DIR,
    env: jupyterEnv(),
    stdio: 'inherit',
  });
  // Ctrl-C reaches Jupyter through the terminal: wait for it to shut down cleanly. A signal
  // sent to this process alone is passed on, so Jupyter is never left running without us.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

try {
  main();
} catch (e) {
  if (!(e instanceof SetupError)) throw e;
  process.stderr.write(`jupyter: ${e.message}\n`);
  process.exitCode = 2;
}
