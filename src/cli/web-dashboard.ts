/**
 * `--web`, `--port` and `--host` of the commands that detect live (`loglab stream --detect`,
 * `loglab dashboard`): the flags, and the web dashboard (realtime/dashboard/web-server.ts) fed
 * by a detect session. The server starts before the run, so a port in use is one line and
 * exit 2 before anything else happens.
 */
import { type Command, Option } from 'commander';
import { badFlag } from '../errors';
import { cliIo } from './context';
import type { DetectSession } from './detect-session';

export interface WebFlags {
  web?: boolean;
  port: string;
  host: string;
}

/** The help text both commands share. */
export const WEB_HELP = `--web serves the live dashboard as a page at http://127.0.0.1:8080/ (--port, --host):
open alerts, top URLs and IPs, requests and 5xx per minute, watermark and lag, pushed to the
page as server-sent events (once a second, and at once when an alert is emitted). The page and
its charts (vega, vega-lite) come from this package: it loads nothing from elsewhere. It listens
on 127.0.0.1 only unless --host says otherwise; any other address shows the page, and the
paths and addresses of your logs, to whoever can reach it. Once the input ends the page stays
up with the final figures until Ctrl-C.`;

export function addWebOptions(command: Command): Command {
  return command
    .option('--web', 'serve the live dashboard as a web page (see below)')
    .addOption(new Option('--port <n>', 'port of the web dashboard (with --web)').default('8080'))
    .addOption(
      new Option('--host <address>', 'address the web dashboard listens on (with --web)').default(
        '127.0.0.1',
      ),
    );
}

export interface WebSettings {
  host: string;
  port: number;
}

/** The flags checked: a port 0–65535 (0 = any free one), a host that is not empty. */
export function webSettings(flags: WebFlags): WebSettings | null {
  if (flags.web !== true) return null;
  const port = Number(flags.port);
  if (!/^\d+$/.test(flags.port.trim()) || !Number.isInteger(port) || port > 65_535) {
    throw badFlag(`--port must be a port number from 0 to 65535, got "${flags.port}"`);
  }
  const host = flags.host.trim();
  if (host === '') throw badFlag('--host must not be empty');
  return { host, port };
}

export interface ServedDashboard {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serve a detect session's live view. Says where on stderr (and warns when the address is not a
 * loopback one); every alert line the engine emits is pushed to the pages at once.
 */
export async function serveWebDashboard(
  session: DetectSession,
  settings: WebSettings,
  view: { command: string; source: string; lag: () => number | null },
): Promise<ServedDashboard> {
  const [server, { webFrame }, { createRateMeter }, { liveCharts }] = await Promise.all([
    import('../realtime/dashboard/web-server'),
    import('../realtime/dashboard/web-frame'),
    import('../realtime/dashboard/driver'),
    import('../viz/live-charts'),
  ]);
  const { stderr } = cliIo();
  const command = view.command.replace(/^loglab /, '').split(' ')[0];
  if (!server.isLoopback(settings.host)) {
    stderr.write(
      `loglab ${command}: warning: --host ${settings.host} exposes the dashboard (and the paths and addresses of the logs) to anyone who can reach this machine on port ${settings.port}\n`,
    );
  }
  const meter = createRateMeter();
  const web = await server.startWebDashboard({
    host: settings.host,
    port: settings.port,
    charts: liveCharts(),
    frame() {
      const counts = session.detector.counts();
      return webFrame(
        session.detector.engine.snapshot(8),
        {
          command: view.command,
          now: Date.now(),
          source: view.source,
          counts,
          rate: meter.sample(counts.read),
          lag: view.lag(),
          ...session.settings,
          done: session.ended(),
        },
        session.recent,
      );
    },
  });
  session.onAlert(() => web.push());
  stderr.write(`live dashboard at ${web.url} (Ctrl-C to stop)\n`);
  return web;
}

/**
 * After the input ended: keep the page up until Ctrl-C, saying so. `stop` is the command's own
 * first Ctrl-C stage, still listening, so a Ctrl-C at any moment ends the command cleanly; when
 * it is aborted already (the run was stopped by Ctrl-C) this returns at once.
 */
export async function keepServing(web: ServedDashboard, stop: AbortSignal): Promise<void> {
  if (stop.aborted) return;
  cliIo().stderr.write(`input ended; the final figures stay at ${web.url} until Ctrl-C\n`);
  await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve()));
}
