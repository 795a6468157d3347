/**
 * The stderr of a failed task, which is where a node task script's error lands. The local job
 * runner runs tasks inside the client's JVM, so their stderr is the client's (run-streaming.ts
 * keeps it). On YARN it is a file in the task's container on a NodeManager: the JobHistory
 * server's REST API says which container and node ran the failed attempt, and that
 * NodeManager's REST API serves the file (kept there for hours when logs are not aggregated).
 */

export const DEFAULT_HISTORY_WEB = 'http://127.0.0.1:19888';

/** Lines every JVM or wrapper adds to a task's stderr, which say nothing about the task. */
const NOISE = [/^Picked up JAVA_TOOL_OPTIONS:/, /^Streaming Command Failed!$/, /^Node\.js v\d/];

/** The last `lines` lines of a task's stderr worth showing. */
export function stderrTail(text: string, lines = 20): string {
  const kept = text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => !NOISE.some((re) => re.test(l)));
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  while (kept.length > 0 && kept[0] === '') kept.shift();
  return kept.slice(-lines).join('\n');
}

/**
 * The line of a stderr tail that names the error: `Error: boom`, `TypeError: x is not a
 * function`, … (what node prints for an uncaught exception), else the last line.
 */
export function errorLine(tail: string): string {
  const lines = tail.split('\n').filter((l) => l.trim() !== '');
  const named = lines.find((l) => /^([A-Z]\w*)?Error(\s*\[\w+\])?: /.test(l));
  return (named ?? lines[lines.length - 1] ?? '').trim();
}

/** The file part of the NodeManager's log answer (it wraps it in a header and a footer). */
export function containerLogContents(answer: string): string {
  const start = answer.indexOf('LogContents:\n');
  if (start < 0) return answer;
  const from = start + 'LogContents:\n'.length;
  const end = answer.indexOf('End of LogType:', from);
  return end < 0 ? answer.slice(from) : answer.slice(from, end);
}

interface AttemptInfo {
  id: string;
  state: string;
  nodeHttpAddress?: string;
  assignedContainerId?: string;
  diagnostics?: string;
}

type Fetch = typeof fetch;

async function getText(fetchFn: Fetch, url: string, json: boolean): Promise<string> {
  const res = await fetchFn(url, {
    headers: json ? { accept: 'application/json' } : {},
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
  return body;
}

/**
 * The stderr of the failed attempt of `task` (`task_…_m_000000`) of `jobId`, from the
 * JobHistory server and the NodeManager that ran it. Resolves null when either cannot say; the
 * JobHistory server learns of a finished job within seconds, so it is asked a few times.
 */
export async function yarnTaskStderr(
  jobId: string,
  task: string,
  options: { historyWeb?: string; fetchFn?: Fetch; tries?: number; waitMs?: number } = {},
): Promise<{ attempt: string; stderr: string; diagnostics: string } | null> {
  const fetchFn = options.fetchFn ?? fetch;
  const base = options.historyWeb ?? DEFAULT_HISTORY_WEB;
  const url = `${base}/ws/v1/history/mapreduce/jobs/${jobId}/tasks/${task}/attempts`;
  for (let i = 0; i < (options.tries ?? 10); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, options.waitMs ?? 1000));
    let attempts: AttemptInfo[];
    try {
      const body = JSON.parse(await getText(fetchFn, url, true));
      // One attempt comes as an object, several as an array.
      const list = body?.taskAttempts?.taskAttempt ?? [];
      attempts = Array.isArray(list) ? list : [list];
    } catch {
      continue;
    }
    const failed = attempts.filter((a) => a.state === 'FAILED').pop();
    if (!failed?.nodeHttpAddress || !failed.assignedContainerId) continue;
    try {
      const answer = await getText(
        fetchFn,
        `http://${failed.nodeHttpAddress}/ws/v1/node/containerlogs/${failed.assignedContainerId}/stderr`,
        false,
      );
      return {
        attempt: failed.id,
        stderr: containerLogContents(answer),
        diagnostics: failed.diagnostics ?? '',
      };
    } catch {
      return null;
    }
  }
  return null;
}
