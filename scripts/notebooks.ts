/**
 * Execute every notebook in notebooks/ headlessly with the tslab kernel.
 *
 *   npm run notebooks                      all notebooks, in name order
 *   npm run notebooks -- 01 kafka          only those whose file name contains 01 or kafka
 *   npm run notebooks -- --html            also write HTML beside the executed copies
 *
 * Executed copies with outputs go to out/notebooks/. The first failing cell stops the run with
 * one message naming the notebook, the cell (index and first source line) and the error; the
 * executed copy up to that cell is kept for reading. The environment (LOGLAB_ENGINE, …) passes
 * through to the kernel.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { jupyterEnv, NOTEBOOKS_DIR, prepareNotebooks, ROOT, SetupError } from './kernel';

const USAGE = `usage: npm run notebooks -- [options] [filter...]

Execute notebooks/*.ipynb headlessly with the tslab kernel; executed copies go to out/notebooks/.
Stops at the first failing cell, naming the notebook, the cell and the error.

  filter          run only notebooks whose file name contains one of these words
  --html          also write an HTML copy of each executed notebook
  --out DIR       where executed copies go (default out/notebooks)
  --timeout SEC   longest a single cell may run (default 300)
  --startup SEC   longest a new kernel may take to answer (default 120); a kernel that does
                  not answer in time is started once more, and the run says so
  -h, --help      show this help

The environment passes through to the kernel, e.g. LOGLAB_ENGINE=cluster npm run notebooks.
`;

interface Options {
  html: boolean;
  out: string;
  timeout: number;
  startup: number;
  filters: string[];
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    html: false,
    out: join(ROOT, 'out', 'notebooks'),
    timeout: 300,
    startup: 120,
    filters: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (a === '--html') o.html = true;
    else if (a === '--out' || a === '--timeout' || a === '--startup') {
      const v = argv[++i];
      if (v === undefined) throw new SetupError(`${a} needs a value`);
      if (a === '--out') o.out = v;
      else {
        const seconds = Number(v);
        if (!Number.isInteger(seconds) || seconds <= 0) {
          throw new SetupError(`${a} must be a positive number of seconds, not "${v}"`);
        }
        if (a === '--timeout') o.timeout = seconds;
        else o.startup = seconds;
      }
    } else if (a.startsWith('-')) throw new SetupError(`unknown option ${a} (see --help)`);
    else o.filters.push(a);
  }
  return o;
}

export interface CellFailure {
  cell: number | null;
  source: string;
  error: string;
  /** The end of what the kernel process wrote itself. */
  kernel?: string;
  /** The kernel ran but never answered within the start-up wait (not: died, or no such kernel). */
  unanswered?: boolean;
}

/** "notebooks/01-x.ipynb, cell 4 (`const a = …`): <error>" — one message, the error indented. */
export function describeFailure(notebook: string, f: CellFailure): string {
  const first = f.source.split('\n').find((l) => l.trim() !== '') ?? '';
  const where =
    f.cell === null
      ? `${notebook}: the kernel did not start or stopped`
      : `${notebook}, cell ${f.cell} (\`${first.length > 70 ? `${first.slice(0, 69)}…` : first}\`)`;
  // Stack frames inside the kernel's own machinery say nothing about the notebook.
  const error = f.error
    .trim()
    .split('\n')
    .filter((l) => !/^\s+at .*(node:|\/tslab\/dist\/|evalmachine\.)/.test(l))
    .slice(0, 30)
    .map((l) => `  ${l}`)
    .join('\n');
  return `${where} failed:\n${error}\n`;
}

function listNotebooks(filters: readonly string[]): string[] {
  return readdirSync(NOTEBOOKS_DIR)
    .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
    .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
    .sort();
}

function lastJsonLine(stdout: string): CellFailure | undefined {
  const lines = stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]) as CellFailure;
  } catch {
    return undefined;
  }
}

/** What a kernel that never answered wrote itself, indented under the failure. */
function kernelOutput(f: CellFailure): string {
  const lines = (f.kernel ?? '').split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return '  the kernel wrote nothing\n';
  return `  the kernel wrote:\n${lines
    .slice(-15)
    .map((l) => `  | ${l}`)
    .join('\n')}\n`;
}

function cellCount(path: string): number {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as { cells: { cell_type: string }[] };
  return nb.cells.filter((c) => c.cell_type === 'code').length;
}

function main(): number {
  const o = parseArgs(process.argv.slice(2));
  const notebooks = listNotebooks(o.filters);
  if (notebooks.length === 0) {
    throw new SetupError(
      o.filters.length > 0
        ? `no notebook in notebooks/ matches ${o.filters.join(', ')}`
        : 'no notebooks in notebooks/',
    );
  }
  const python = prepareNotebooks();
  const env = jupyterEnv();
  mkdirSync(o.out, { recursive: true });
  const driver = join(ROOT, 'scripts', 'execute-notebook.py');
  for (const name of notebooks) {
    const src = join(NOTEBOOKS_DIR, name);
    const dst = join(o.out, name);
    const shown = relative(ROOT, src);
    const started = Date.now();
    const execute = () =>
      spawnSync(python, [driver, src, dst, String(o.timeout), String(o.startup)], {
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    let run = execute();
    let failure = run.status === 1 ? lastJsonLine(run.stdout) : undefined;
    if (failure?.cell === null && failure.unanswered === true) {
      // No cell ran: the kernel process never answered (a start-up race, a loaded machine), so
      // nothing of the notebook was tried yet. One more start, said out loud; a second miss fails.
      // A kernel that died or does not exist fails at once.
      process.stderr.write(
        `${shown}: the kernel did not answer within ${o.startup} s (${failure.error.trim()}); starting it once more\n${kernelOutput(failure)}`,
      );
      run = execute();
      failure = run.status === 1 ? lastJsonLine(run.stdout) : undefined;
    }
    if (run.status !== 0) {
      if (failure) {
        process.stderr.write(describeFailure(shown, failure));
        if (failure.cell === null) process.stderr.write(kernelOutput(failure));
      } else
        process.stderr.write(`${shown}: could not run: ${(run.stderr || run.stdout).trim()}\n`);
      process.stderr.write(`executed copy up to the failure: ${relative(ROOT, dst)}\n`);
      return 1;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`${shown}: ok, ${cellCount(src)} code cells in ${seconds} s\n`);
    if (o.html) {
      const html = spawnSync(
        python,
        ['-m', 'nbconvert', '--to', 'html', '--log-level', 'WARN', '--output-dir', o.out, dst],
        { env, encoding: 'utf8' },
      );
      if (html.status !== 0) {
        process.stderr.write(`${shown}: HTML conversion failed: ${html.stderr.trim()}\n`);
        return 1;
      }
      process.stdout.write(
        `  html: ${relative(ROOT, join(o.out, basename(name, '.ipynb')))}.html\n`,
      );
    }
  }
  process.stdout.write(
    `${notebooks.length} notebook(s) executed; copies in ${relative(ROOT, o.out)}/\n`,
  );
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  if (!(e instanceof SetupError)) throw e;
  process.stderr.write(`notebooks: ${e.message}\n`);
  process.exitCode = 2;
}
