/**
 * Redraws the dashboard in place on a terminal, about four times a second, with log-update
 * (which erases the previous frame and keeps the frame within the terminal's height). The frame
 * itself comes from the caller, usually renderDashboard (render.ts). Nothing here runs when the
 * output is not a terminal: callers print plain alert lines instead.
 */
import type { Alert } from '../alert';

export const DEFAULT_REDRAW_MS = 250;

export interface LiveDashboard {
  /** Draw now, outside the timer (the first frame, or after something worth showing). */
  draw(): void;
  /** Stop redrawing; the last frame (drawn once more) stays on the screen. */
  stop(): void;
}

export interface LiveDashboardOptions {
  /** A terminal: `isTTY` is true. */
  readonly stream: NodeJS.WriteStream;
  /** The frame for a terminal of `width` columns and `rows` lines. */
  readonly frame: (width: number, rows: number) => string;
  readonly redrawMs?: number;
}

export async function startLiveDashboard(options: LiveDashboardOptions): Promise<LiveDashboard> {
  // Loaded only for a terminal: piped runs do not pay for it at start-up.
  const { createLogUpdate } = await import('log-update');
  const { stream, frame } = options;
  const update = createLogUpdate(stream, { showCursor: false });
  const draw = () => {
    // The frame must leave one line for the cursor, or the terminal scrolls by one each redraw.
    update(frame(stream.columns ?? 100, Math.max(1, (stream.rows ?? 40) - 1)).replace(/\n$/, ''));
  };
  const timer = setInterval(draw, options.redrawMs ?? DEFAULT_REDRAW_MS);
  draw();
  let stopped = false;
  return {
    draw,
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      draw();
      update.done();
    },
  };
}

/**
 * Lines per second over about the last `spanMs` of wall-clock time, from a growing count
 * sampled at each redraw.
 */
export interface RateMeter {
  sample(count: number, now?: number): number;
}

export function createRateMeter(spanMs = 2000): RateMeter {
  const times: number[] = [];
  const counts: number[] = [];
  return {
    sample(count, now = performance.now()) {
      times.push(now);
      counts.push(count);
      while (times.length > 2 && now - times[1] >= spanMs) {
        times.shift();
        counts.shift();
      }
      const dt = now - times[0];
      return dt > 0 ? ((count - counts[0]) * 1000) / dt : 0;
    },
  };
}

/** The last `size` alert lines, oldest first. */
export class RecentAlerts {
  readonly list: Alert[] = [];
  constructor(private readonly size = 8) {}

  push(alert: Alert): void {
    this.list.push(alert);
    if (this.list.length > this.size) this.list.shift();
  }
}
