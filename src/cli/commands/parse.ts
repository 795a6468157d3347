/**
 * `loglab parse`: access-log lines in, one NDJSON record per parsed line out (input order), the
 * rejected lines with their reasons to --rejects, and a count of both on stderr.
 */
import { type Command, Option } from 'commander';
import { LoglabError } from '../../errors';
import type { ParseFormat } from '../../log/parser';
import { isRejection, LOG_FORMATS } from '../../log/record';
import { jsonWithoutControls } from '../../log/terminal-text';
import { cliIo } from '../context';
import { handleInterrupts } from '../streaming';

// The parsers and the output helpers are imported by the action, not here: every other command
// (and --help) would pay for them at start-up.

/** PARSE_FORMATS of log/parser, without loading the parsers. */
const FORMATS: string[] = ['auto', ...LOG_FORMATS];

interface ParseOptions {
  format: ParseFormat;
  rejects?: string;
}

const EXAMPLES = `
Examples:
  loglab parse access.log > records.ndjson
  loglab generate --lines 1000 | loglab parse --rejects rejects.ndjson -
  loglab parse --format common old-clf.log | head
  loglab generate --format combined-time --lines 100 | loglab parse --format combined-time -

Output: one JSON object per parsed line, in input order, with the fields
  ip ident user time method path protocol status bytes referrer userAgent durationMs
(time in epoch milliseconds UTC; "-" fields are null; durationMs is the request time in ms:
%D / 1000 in combined-time (combined with Apache's %D microseconds appended), request_time
× 1000 in nginx JSON, null in combined and common). Rejected lines go to --rejects as
  {"line": 1-based line number, "reason": "bad-status", "raw": "the line as read"}
The last line on stderr is always: read N, parsed P, rejected R
Ctrl-C stops reading: what was read is written and counted, and that line ends it (exit 0); a
second Ctrl-C exits at once with 130.
`;

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('Parse access-log lines into NDJSON records; count and keep the rejected ones.')
    .argument('[file]', 'log file to read, or - for stdin', '-')
    .addOption(
      new Option('--format <format>', 'log format; auto decides per line')
        .choices(FORMATS)
        .default('auto'),
    )
    .option('--rejects <file>', 'write rejected lines as NDJSON {line, reason, raw} to this file')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, options: ParseOptions) => {
      await runParse(file, options);
    });
}

async function runParse(file: string, options: ParseOptions): Promise<void> {
  const [{ countOutcome, createParseStats, formatReasons, getParser }, io] = await Promise.all([
    import('../../log/index'),
    import('../io'),
  ]);
  const input = io.openInput(file);
  const rejects = options.rejects === undefined ? null : await io.openOutputFile(options.rejects);
  const parse = getParser(options.format);
  const stats = createParseStats();
  const progress = io.createProgress(input.size ?? 0, 'bytes');
  const { stdout, stderr } = cliIo();
  // Records to a terminal: the same JSON with C1 and bidirectional controls as \uXXXX, so that
  // no CSI or override in a path reaches the screen; into a pipe or a file, as stringified.
  const shown = stdout.isTTY === true ? jsonWithoutControls : (json: string) => json;
  input.stream.on('error', () => {
    // Reported by the for-await below; this only keeps an unhandled 'error' from crashing.
  });

  const interrupts = handleInterrupts(1);
  const [stop] = interrupts.stages;
  try {
    for await (const lines of io.readLinesUntil(input, stop)) {
      let out = '';
      let rejected = '';
      for (let i = 0; i < lines.length; i++) {
        const outcome = parse(lines[i]);
        countOutcome(stats, outcome);
        if (isRejection(outcome)) {
          if (rejects !== null) {
            const reason = outcome.reason;
            rejected += `{"line":${stats.read},"reason":"${reason}","raw":${JSON.stringify(lines[i])}}\n`;
          }
        } else {
          out += `${JSON.stringify(outcome)}\n`;
        }
      }
      if (out !== '') await io.writeChunk(stdout, shown(out));
      if (rejected !== '' && rejects !== null) await io.writeChunk(rejects, rejected);
      if (input.size !== null) progress.update(input.bytesRead());
    }
  } catch (err) {
    if (err instanceof LoglabError) throw err;
    throw new LoglabError('IO', `cannot read ${input.name}: ${io.describeFsError(err)}`, {
      cause: err,
    });
  } finally {
    interrupts.dispose();
    progress.stop();
    input.stream.destroy();
    if (rejects !== null) await io.endOutput(rejects);
  }

  if (stats.rejected > 0) {
    const where =
      options.rejects === undefined
        ? 'add --rejects FILE to keep them with their reasons'
        : `kept in ${options.rejects}`;
    stderr.write(
      `loglab parse: ${stats.rejected} ${stats.rejected === 1 ? 'line' : 'lines'} rejected (${formatReasons(stats)}); ${where}\n`,
    );
  }
  // Truncated lines are parsed (log/combined.ts); said only when there are some.
  const truncated = stats.truncated > 0 ? `, truncated ${stats.truncated}` : '';
  stderr.write(
    `read ${stats.read}, parsed ${stats.parsed}, rejected ${stats.rejected}${truncated}\n`,
  );
}
