/**
 * `loglab evaluate`: detection quality of an alert file against the generator's ground truth —
 * precision, recall, F1, detection delay and coverage per incident kind, for every kind the
 * generator injects (realtime/evaluate.ts has the matching rule and the kind mapping). With --min-f1 it is a quality gate: exit code 1 when a kind falls below.
 */
import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import { badFlag, badInput } from '../../errors';
import { cliIo } from '../context';

interface EvaluateFlags {
  alerts?: string;
  truth?: string;
  window: string;
  minF1?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  loglab generate --format combined-time --incidents all --truth truth.json > day.log
  loglab detect day.log > alerts.ndjson
  loglab evaluate --alerts alerts.ndjson --truth truth.json
  loglab evaluate --alerts alerts.ndjson --truth truth.json --min-f1 0.95 --json

Which alert detects which incident:
  error-burst  error-spike on the URL
  ip-flood     ip-flood on the IP
  scanner      scanner on the IP
  surge        anomaly requests-spike (the incident's key is site)
  outage       anomaly error-ratio-spike or requests-drop (key site)
  ddos         prefix-flood on the /24 or /64 (203.0.113.0/24, 2001:db8:1:2::/64)
  slow-scan    slow-scan on the IP
  slow-page    slow-page on the URL (only a log with request times shows it: generate it with
               --format combined-time or json, or its recall is 0)

An incident counts as detected when a matching alert opens between the incident's start and its
end plus one window; the delay is that opening minus the start, in event time, and "covered" is
the smallest share of a detected incident's time its alerts' windows cover. An alert that
matches no incident of its kind is false, unless another incident explains it: an anomaly alert
that overlaps any incident in time, or an error-spike that opens during an outage ("explained",
left out of precision). The (overlap) row counts anomaly alerts that overlap any incident. An
alert is the lines sharing kind, key and firstSeen. Exit code: 0, or 1 when --min-f1 is given
and a kind with incidents or alerts is below it, or 2 for a bad flag or unreadable input.
`;

async function readText(path: string, what: string): Promise<string> {
  try {
    // stdin as the run's stream, not file descriptor 0: main(argv, io) may give it another.
    return path === '-' ? await text(cliIo().stdin) : readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : err instanceof Error
              ? err.message
              : String(err);
    throw badInput(`cannot read the ${what} ${path}: ${why}`);
  }
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .showSuggestionAfterError(false)
    .description(
      'Score alerts against ground truth: precision, recall, F1 and detection delay per incident kind.',
    )
    .option('--alerts <file>', 'alerts as NDJSON (as loglab detect writes them), or - (required)')
    .option('--truth <file>', 'ground truth JSON (as loglab generate --truth writes it) (required)')
    .option('--window <duration>', 'the detection window: an alert may open up to this late', '5m')
    .option('--min-f1 <x>', 'exit with code 1 when the F1 of an incident kind is below x (0–1)')
    .option('--json', 'print one JSON object instead of the table')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: EvaluateFlags) => {
      const [{ parseDuration }, evaluate, input, report, { writeChunk }] = await Promise.all([
        import('../../generate/duration'),
        import('../../realtime/evaluate'),
        import('../../realtime/evaluate-input'),
        import('../../realtime/evaluate-report'),
        import('../io'),
      ]);
      const windowMs = parseDuration(flags.window);
      if (windowMs === null) {
        throw badFlag(`--window must be a duration such as 5m or 300s, got "${flags.window}"`);
      }
      let minF1: number | null = null;
      if (flags.minF1 !== undefined) {
        minF1 = Number(flags.minF1);
        if (flags.minF1.trim() === '' || !(minF1 >= 0 && minF1 <= 1)) {
          throw badFlag(`--min-f1 must be a number from 0 to 1, got "${flags.minF1}"`);
        }
      }
      // Checked here rather than with requiredOption, so that an unknown flag is reported first.
      if (flags.alerts === undefined)
        throw badFlag("required option '--alerts <file>' not specified");
      if (flags.truth === undefined)
        throw badFlag("required option '--truth <file>' not specified");
      if (flags.alerts === '-' && flags.truth === '-') {
        throw badFlag('--alerts and --truth cannot both be read from stdin');
      }
      const alerts = input.parseAlertLines(await readText(flags.alerts, 'alerts'), flags.alerts);
      const truth = input.parseTruth(await readText(flags.truth, 'truth'), flags.truth);
      const result = evaluate.evaluateDetection(alerts, truth, { windowMs });
      const failing = minF1 === null ? [] : evaluate.belowMinF1(result, minF1);
      if (flags.json) {
        const out = minF1 === null ? result : { ...result, minF1, passed: failing.length === 0 };
        await writeChunk(cliIo().stdout, `${JSON.stringify(out)}\n`);
      } else {
        let text = report.formatEvaluation(result);
        if (minF1 !== null) {
          text +=
            failing.length === 0
              ? `every incident kind has F1 ≥ ${minF1}\n`
              : `below --min-f1 ${minF1}: ${failing.map((k) => `${k.incidentKind} (F1 ${k.f1?.toFixed(3)})`).join(', ')}\n`;
        }
        await writeChunk(cliIo().stdout, text);
      }
      if (failing.length > 0) failQualityGate();
    });
}

/** Exit code 1 once the report is out: the figures are printed, and the gate still fails. */
function failQualityGate(): void {
  cliIo().exitCode = 1;
}
