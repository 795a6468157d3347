import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { badFlag, badInput, isLoglabError, LoglabError } from '../../errors';
import { LOG_FORMATS } from '../../log/record';
import { jsonWithoutControls } from '../../log/terminal-text';
import { cliIo } from '../context';
import { parseCount } from '../flags';

/** PARSE_FORMATS of log/parser, without loading the parsers. */
const FORMATS: readonly string[] = ['auto', ...LOG_FORMATS];

interface SummaryFlags {
  json?: boolean;
  format: string;
  top: string;
  threads?: string;
}

export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description(
      'Summarise an access log in one pass: requests, status codes, unique visitors, peak hour, ' +
        'top URLs, top IPs and error URLs (figures that agree with GoAccess).',
    )
    .argument('[file]', 'access log to read, or - for stdin', '-')
    .option('--json', 'print one JSON object instead of the text summary')
    .option('--format <format>', `log format: ${FORMATS.join(', ')}`, 'auto')
    .option('--top <n>', 'rows in each top list', '10')
    .option('--threads <n>', 'threads for a regular file (default: one per core)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ loglab summary access.log',
        '  $ loglab generate --lines 100000 --incidents all | loglab summary - --json',
        '',
        'Unique visitors are counted as GoAccess counts them: distinct (address, user agent) per',
        'day, 4xx answers left out. The peak hour is the busiest UTC clock hour over all days.',
        'Ctrl-C stops it with one line and exit 130, printing no summary: one of part of the',
        'input would be a wrong one, not a smaller one.',
      ].join('\n'),
    )
    .action(async (file: string, flags: SummaryFlags) => {
      // Loaded here, not at the top: the other commands should not pay for them at start-up.
      const [
        { isParseFormat },
        { summarizeFile, summarizeStream },
        { summaryOf, formatSummary },
        io,
      ] = await Promise.all([
        import('../../log/parser'),
        import('../../summary/file'),
        import('../../summary/index'),
        import('../io'),
      ]);
      if (!isParseFormat(flags.format)) {
        throw badFlag(`--format must be one of ${FORMATS.join(', ')}, not "${flags.format}"`);
      }
      const format = flags.format;
      /** The progress bar, stopped before the interrupt's line. */
      const bar = { stop: () => {} };
      /** The summary is being written (stdout may block on a slow reader: `| less`). */
      let printing = false;
      const summarize = async (): Promise<void> => {
        const top = parseCount(flags.top, '--top', 1);
        const threads =
          flags.threads === undefined ? undefined : parseCount(flags.threads, '--threads', 1);

        let state: Awaited<ReturnType<typeof summarizeStream>>;
        let name: string;
        if (file === '-') {
          const { stdin } = cliIo();
          if (stdin.isTTY) throw badInput('no input: name a FILE or pipe log lines into stdin');
          name = 'stdin';
          try {
            // gzip told by its first bytes, as for a file.
            state = await summarizeStream(io.gunzipIfGzip(stdin), { format });
          } catch (err) {
            // A read error, or gzip cut short.
            if (isLoglabError(err)) throw err;
            throw new LoglabError('IO', `cannot read stdin: ${io.describeFsError(err)}`, {
              cause: err,
            });
          }
        } else {
          let regular: boolean;
          try {
            const st = statSync(file);
            if (st.isDirectory()) throw badInput(`cannot read ${file}: it is a directory`);
            regular = st.isFile();
          } catch (err) {
            if (isLoglabError(err)) throw err;
            throw badInput(`cannot read ${file}: ${io.describeFsError(err)}`);
          }
          name = file;
          // A gzip file is read decompressed, as a stream (its bytes cannot be cut into ranges).
          if (regular && !io.isGzipFile(file)) {
            const megabytes = Math.ceil(statSync(file).size / 1e6);
            const progress = io.createProgress(megabytes, 'MB');
            bar.stop = () => progress.stop();
            try {
              state = await summarizeFile(file, {
                format,
                threads,
                onProgress: (done) => progress.update(Math.round(done / 1e6)),
              });
              progress.update(megabytes);
            } finally {
              progress.stop();
            }
          } else {
            // A pipe or device named by path (/dev/stdin, <(…)), or gzip: read it as a stream.
            const input = io.openInput(file);
            try {
              state = await summarizeStream(input.stream, { format });
            } catch (err) {
              // A read error, or a gzip file that is cut short or not gzip after all.
              if (isLoglabError(err)) throw err;
              throw new LoglabError('IO', `cannot read ${file}: ${io.describeFsError(err)}`, {
                cause: err,
              });
            }
          }
        }
        const summary = summaryOf(state, { top });
        // JSON with C1 and bidirectional controls as \uXXXX: the same value, and safe on a screen.
        const text = flags.json
          ? `${jsonWithoutControls(JSON.stringify(summary))}\n`
          : formatSummary(summary, name);
        printing = true;
        await io.writeChunk(cliIo().stdout, text);
      };
      // Ctrl-C: one line, exit 130. A summary of the part read would be a wrong one, not a
      // smaller one (the peak hour, the top lists), so none is printed.
      const { handleInterrupts } = await import('../streaming');
      const interrupts = handleInterrupts(1);
      interrupts.stages[0].addEventListener('abort', () => {
        bar.stop();
        cliIo().stderr.write(
          printing
            ? 'loglab summary: interrupted while printing the summary, which is cut short\n'
            : 'loglab summary: interrupted, no summary printed\n',
        );
        process.exit(130);
      });
      try {
        await summarize();
      } finally {
        interrupts.dispose();
      }
    });
}
