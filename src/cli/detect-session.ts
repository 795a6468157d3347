/**
 * The detector of `loglab detect` and `loglab stream --detect` with its outputs: the window
 * flags, where alert lines and the dashboard go, and the session that writes them.
 */
import { badFlag } from '../errors';
import type { StreamDetector } from '../pipeline/stream-detector';
import { type Alert, formatAlert } from '../realtime/alert';
import type { EmittedAlert } from '../realtime/dashboard/web-frame';
import { cliIo, isTerminal } from './context';

type Io = typeof import('./io');

/** A duration flag in ms; `zero` allows "0" (a lateness of nothing). */
export async function durationFlag(text: string, flag: string, zero: boolean): Promise<number> {
  const { parseDuration } = await import('../generate/duration');
  if (zero && /^\s*0+(\.0*)?\s*(ms|s|m|h|d)?\s*$/i.test(text)) return 0;
  const ms = parseDuration(text);
  if (ms === null) {
    throw badFlag(`${flag} must be a duration such as 30s, 5m or 1h, got "${text}"`);
  }
  return ms;
}

function gcdOf(a: number, b: number): number {
  return b === 0 ? a : gcdOf(b, a % b);
}

/** The engine's window settings from the flags, checked (one line for a bad value). */
export async function windowFlags(flags: {
  window: string;
  hop: string;
  lateness: string;
}): Promise<{ windowMs: number; hopMs: number; latenessMs: number }> {
  const windowMs = await durationFlag(flags.window, '--window', false);
  const hopMs = await durationFlag(flags.hop, '--hop', false);
  const latenessMs = await durationFlag(flags.lateness, '--lateness', true);
  if (hopMs > windowMs) {
    throw badFlag(`--hop (${flags.hop}) must not be longer than --window (${flags.window})`);
  }
  // The engine's buckets are the common step of window and hop, counted from 1970 in 32 bits,
  // and the slow-scan detector watches a whole hour of them: bounds said in the user's flags
  // (past them every keyed alert was lost without a word, or the engine failed inside).
  const HOUR = 3_600_000;
  if (windowMs > HOUR) {
    throw badFlag(
      `--window must be at most 1h (the slow-scan detector's hour), got "${flags.window}"`,
    );
  }
  const step = gcdOf(windowMs, hopMs);
  if (step < 1000 || HOUR % step !== 0) {
    throw badFlag(
      `--window (${flags.window}) and --hop (${flags.hop}) must be whole seconds that divide an hour (their common step is ${step} ms)`,
    );
  }
  if (latenessMs > HOUR) {
    throw badFlag(`--lateness must be at most 1h, got "${flags.lateness}"`);
  }
  const { detectionSettings } = await import('../realtime/settings');
  detectionSettings({ windowMs, hopMs, latenessMs });
  return { windowMs, hopMs, latenessMs };
}

/** Where alerts and the dashboard go, given which outputs are terminals. */
export interface DetectOutput {
  /** NDJSON alert lines on stdout (false only when the dashboard takes stdout). */
  readonly alertLines: boolean;
  /** The terminal the dashboard is drawn on, or null. */
  readonly dashboard: NodeJS.WriteStream | null;
}

export function chooseOutput(wanted: boolean): DetectOutput {
  const { stdout, stderr } = cliIo();
  if (wanted && isTerminal(stdout)) return { alertLines: false, dashboard: stdout };
  if (wanted && isTerminal(stderr)) return { alertLines: true, dashboard: stderr };
  return { alertLines: true, dashboard: null };
}

/**
 * The detector of a command with its outputs: NDJSON alert lines on stdout (unless the
 * dashboard takes stdout) and, when asked and a terminal is there, the live dashboard. Shared
 * by `loglab detect` and `loglab stream --detect`.
 */
export interface DetectSession {
  readonly detector: StreamDetector;
  readonly settings: { windowMs: number; hopMs: number; latenessMs: number };
  /** The latest alert lines (WEB_RECENT_ALERTS) with the wall-clock time each was emitted. */
  readonly recent: readonly EmittedAlert[];
  /** Also call `listener` with each alert line as the engine emits it (the web dashboard). */
  onAlert(listener: (alert: Alert) => void): void;
  /** The input ended (stopDashboard(true) was called). */
  ended(): boolean;
  /** A dashboard was asked for and a terminal is there to draw it on. */
  readonly drawsDashboard: boolean;
  /** Writes the alert lines gathered since the last call to stdout, with backpressure. */
  writeAlerts(): Promise<void>;
  /**
   * Starts the dashboard when one was asked for and a terminal is there; a no-op otherwise.
   * `command` opens its title ("loglab detect"), `source` says what is read.
   */
  startDashboard(command: string, source: string, lag: () => number | null): Promise<void>;
  /** Stops the dashboard (the last frame stays), marked final when the input ended. */
  stopDashboard(ended: boolean): void;
}

/** Alert lines the terminal dashboard shows: what fits under its tables. */
export const RECENT_ALERTS = 8;

/**
 * Alert lines each frame of the web dashboard carries, for the page's scrolling list. A frame
 * holds the latest lines as of when it is made, so a burst of more lines than this between two
 * frames still loses its oldest ones; with the terminal's 8, 101 of 214 lines emitted in one
 * benchmark run never reached the page.
 */
export const WEB_RECENT_ALERTS = 100;

export async function openDetectSession(
  settings: { windowMs: number; hopMs: number; latenessMs: number },
  format: string,
  dashboardWanted: boolean,
): Promise<DetectSession> {
  const [io, { getParser }, detectStream, dashboard] = await Promise.all([
    import('./io') as Promise<Io>,
    import('../log/parser'),
    import('../pipeline/stream-detector'),
    import('../realtime/dashboard/index'),
  ]);
  const output = chooseOutput(dashboardWanted);
  const recent = new dashboard.RecentAlerts(RECENT_ALERTS);
  const emitted: EmittedAlert[] = [];
  const listeners: ((alert: Alert) => void)[] = [];
  let text = '';
  const detector = detectStream.createStreamDetector({
    ...settings,
    parse: getParser(format as 'auto'),
    onAlert(alert: Alert) {
      if (output.alertLines) text += formatAlert(alert);
      recent.push(alert);
      emitted.push({ alert, at: Date.now() });
      if (emitted.length > WEB_RECENT_ALERTS) emitted.shift();
      for (const listener of listeners) listener(alert);
    },
  });
  let live: import('../realtime/dashboard/driver').LiveDashboard | null = null;
  let ended = false;
  return {
    detector,
    settings,
    recent: emitted,
    onAlert(listener) {
      listeners.push(listener);
    },
    ended: () => ended,
    drawsDashboard: output.dashboard !== null,
    async writeAlerts() {
      if (text === '') return;
      const chunk = text;
      text = '';
      const wait = io.writeChunk(cliIo().stdout, chunk);
      if (wait !== undefined) await wait;
    },
    async startDashboard(command, source, lag) {
      if (output.dashboard === null || live !== null) return;
      const meter = dashboard.createRateMeter();
      const color = (await import('picocolors')).default.isColorSupported;
      live = await dashboard.startLiveDashboard({
        stream: output.dashboard,
        frame: (width, rows) => {
          const counts = detector.counts();
          return dashboard.renderDashboard(
            detector.engine.snapshot(5),
            {
              command,
              now: Date.now(),
              source,
              counts,
              rate: meter.sample(counts.read),
              lag: lag(),
              ...settings,
              recent: recent.list,
              done: ended,
              color,
              rows,
            },
            width,
          );
        },
      });
    },
    stopDashboard(inputEnded) {
      ended = inputEnded;
      live?.stop();
      live = null;
    },
  };
}
