/**
 * `loglab demo`: the pipeline as far as it exists, on the embedded engine, in one process.
 *
 *   generate a day (seeded, with incidents) ──lines──▶ parse ──records──▶ summary
 *                 │                                          └──▶ detection (5-minute windows)
 *                 └──▶ ground truth ──▶ where each incident shows; alerts scored against it
 */
import type { Command } from 'commander';
import { cliIo } from '../context';
import { parseCount } from '../flags';

interface DemoFlags {
  lines: string;
  seed: string;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the pipeline on the embedded engine: generate a day of traffic with incidents, parse it, ' +
        'and print the summary with the injected incidents beside it.',
    )
    .option('--lines <n>', 'lines to generate', '200000')
    .option('--seed <s>', 'random seed (same seed, same day)', '42')
    .addHelpText('after', '\nExample:\n  $ loglab demo --lines 500000 --seed 7\n')
    .action(async (flags: DemoFlags) => {
      const lines = parseCount(flags.lines, '--lines', 1000);
      const seed = parseCount(flags.seed, '--seed', 0);
      const [
        { defaultOptions, createGenerator, generateChunks, INCIDENT_KINDS },
        log,
        summary,
        realtime,
        io,
      ] = await Promise.all([
        import('../../generate/index'),
        import('../../log/index'),
        import('../../summary/index'),
        import('../../realtime/index'),
        import('../io'),
      ]);
      const { stdout } = cliIo();
      const out = (text: string) => stdout.write(`${text}\n`);

      const options = defaultOptions({ lines, seed, incidents: [...INCIDENT_KINDS] });
      out('loglab demo — generate, parse, summarise and detect, on the embedded engine\n');

      // 1. generate: the lines a web server would have written, kept in memory.
      let t0 = performance.now();
      const progress = io.createProgress(lines * 2, 'lines');
      const text: string[] = [];
      for (const chunk of generateChunks(options)) {
        for (const line of log.splitLines(chunk)) text.push(line);
        progress.update(text.length);
      }
      const truth = createGenerator(options).truth();
      const genMs = performance.now() - t0;

      // 2. parse every line and count it: parsed + rejected = read, nothing dropped silently.
      t0 = performance.now();
      const stats = log.createParseStats();
      const agg = summary.createSummaryAggregator();
      const alerts: import('../../realtime/index').Alert[] = [];
      const engine = realtime.createDetectionEngine({ sink: (alert) => alerts.push(alert) });
      for (let i = 0; i < text.length; i++) {
        const outcome = log.parseCombined(text[i]);
        log.countOutcome(stats, outcome);
        if (log.isRejection(outcome)) agg.reject(outcome.reason);
        else {
          agg.add(outcome);
          engine.process(outcome);
        }
        if ((i & 0x3fff) === 0) progress.update(lines + i);
      }
      engine.flush();
      const parseMs = performance.now() - t0;
      progress.stop();

      const day = new Date(options.start).toISOString().slice(0, 10);
      out(
        `1. generate  ${lines.toLocaleString('en-US')} combined lines of ${day} (seed ${seed}, incidents: ${INCIDENT_KINDS.join(', ')})  ` +
          `${(genMs / 1000).toFixed(2)} s`,
      );
      out(
        `2. parse     read ${stats.read}, parsed ${stats.parsed}, rejected ${stats.rejected}  ` +
          `${(parseMs / 1000).toFixed(2)} s with the summary and detection`,
      );
      out('3. summary\n');
      const result = agg.result();
      out(summary.formatSummary(result, `the generated day (${day})`));

      // 4. The ground truth beside the summary: each incident should stand out in one table.
      out('4. the injected incidents (ground truth) and where they show above');
      const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
      const all = agg.result({ top: Number.POSITIVE_INFINITY });
      for (const incident of truth.incidents) {
        let where: string;
        if (incident.kind === 'error-burst') {
          const errors = all.topErrors
            .filter((row) => row.url === incident.key && row.status >= 500)
            .reduce((n, row) => n + row.count, 0);
          where = `${errors} 5xx answers in the error analysis`;
        } else if (incident.kind === 'surge' || incident.kind === 'outage') {
          where = 'site-wide: no one URL or address stands out in a day’s tables';
        } else if (incident.kind === 'ddos') {
          where = 'a crowd of one network: no one address stands out';
        } else {
          const rank = all.topIps.findIndex((row) => row.key === incident.key);
          where =
            rank < 0
              ? 'not among the client addresses'
              : `#${rank + 1} of ${all.topIps.length.toLocaleString('en-US')} client addresses, ${all.topIps[rank].hits} requests`;
        }
        out(
          `  ${incident.kind.padEnd(11)} ${incident.key.padEnd(24)} ${hhmm(incident.start)}–${hhmm(incident.end)} UTC  → ${where}`,
        );
      }
      // 5. Stage 3: the same records through event-time windows, as a stream would see them.
      const hm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
      // An alert's first line opens it; later lines update or resolve the same (kind, key,
      // firstSeen).
      const seen = new Set<string>();
      const opened = alerts.filter((a) => {
        const id = `${a.kind} ${a.key} ${a.firstSeen}`;
        if (!realtime.isOpenAlert(a) || seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      out(
        `\n5. detect    ${opened.length} alerts from 5-minute windows sliding every minute (event time)`,
      );
      for (const a of opened) {
        const what =
          a.kind === 'error-spike'
            ? `${a.key}: ${a.observed} errors in 5 min`
            : a.kind === 'anomaly'
              ? a.key.startsWith('error-ratio')
                ? `site ${a.key}: error ratio ${a.observed.toFixed(2)} in a minute (limit ${a.threshold.toFixed(2)})`
                : `site ${a.key}: ${Math.round(a.observed)} requests in a minute (limit ${Math.round(a.threshold)})`
              : a.kind === 'scanner'
                ? `IP ${a.key}: ${a.observed} distinct not-found paths in 5 min`
                : a.kind === 'slow-scan'
                  ? `IP ${a.key}: ${a.observed} distinct not-found paths in an hour`
                  : a.kind === 'prefix-flood'
                    ? `network ${a.key}: ${a.observed} requests in 5 min`
                    : `IP ${a.key}: ${a.observed} requests in 5 min`;
        const limit = a.kind === 'anomaly' ? '' : ` (threshold ${a.threshold})`;
        out(`  ${hm(a.firstSeen)} UTC  ${a.kind.padEnd(12)} ${what}${limit}`);
      }
      const evaluation = realtime.evaluateDetection(alerts, truth);
      out('\n6. scored against the ground truth');
      out(realtime.formatEvaluation(evaluation).replace(/^/gm, '  '));
      out(
        'Next: npm run notebooks (charts), npm run lab -- 01, npm run bench (speed), npx loglab --help',
      );
    });
}
