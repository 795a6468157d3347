/**
 * `loglab archive`: the raw lake layout, from a log file or from a Kafka topic, on either
 * engine's store. With FILE (or - for stdin) it puts the file's lines in, without a broker
 * (pipeline/archive-lines.ts); without FILE it is the archiver, a member of group `archiver` on
 * `weblogs.raw` that goes on until Ctrl-C, --idle-exit or --max (pipeline/run-archiver.ts).
 * The runs themselves, their progress line and last line: ../archive-session.ts.
 */
import { type Command, Option } from 'commander';
import { badFlag } from '../../errors';
import { RAW_TOPIC } from '../../stream/topics';
import type { ArchiveSettings } from '../archive-session';
import { parseCount } from '../flags';
import { brokerWaitMs, brokerWaitOption } from '../streaming';

interface ArchiveFlags {
  engine?: string;
  lake?: string;
  rollSize: string;
  rollInterval: string;
  compress: 'none' | 'gzip';
  topic: string;
  group?: string;
  brokers?: string;
  idleExit?: string;
  max?: string;
  brokerWait?: string;
}

const EXAMPLES = `
Examples:
  loglab archive access.log                      a file into the lake directory out/lake
  loglab generate --lines 100000 | loglab archive --lake /data/lake -
  loglab archive --engine cluster                weblogs.raw from Kafka into HDFS, until Ctrl-C
  loglab archive --engine cluster --idle-exit 10s --compress gzip
                                                 until nothing new came for 10 s, gzipped
  loglab archive access.log --engine cluster     a file into HDFS, same layout
  loglab archive --engine cluster --lake /user/me/lake
                                                 into /user/me/lake/loglab/raw/… on HDFS

Files land in /loglab/raw/date=YYYY-MM-DD/hour=HH/TOPIC+PARTITION+FIRST+LAST.log (the event
hour in UTC, FIRST and LAST the offsets of the lines they hold), lines that do not parse in
/loglab/deadletter/ as {"reason", "message", "line"}: under the lake directory --lake for the
embedded engine, on HDFS at LOGLAB_HDFS_URL (http://127.0.0.1:9870) for the cluster engine,
under the HDFS folder --lake when given (made when missing).
Each file is written under /loglab/raw/_tmp/, then renamed into place when it rolls: at
--roll-size, after --roll-interval, or when its hour closes. \`loglab lake ls|du|cat\` shows them.

--compress gzip names closed files ….log.gz; Hadoop Streaming (and \`loglab lake cat\`) read them
by that extension, but a gzip file is not splittable: one map reads it whole. --roll-size counts
the bytes before compression.

With FILE, a line's position is its offset in partition 0, going on after what the lake holds,
so a second run adds after the first; the engine is --engine, else LOGLAB_ENGINE, else embedded.
Those offsets are the file's, not Kafka's, so a lake takes a topic's name from one kind of
writer only (the first one leaves its kind in /loglab/_sources/TOPIC.json): files under the
name of a topic archived from Kafka, or the topic after files under its name, are refused in one
line (exit 2) before anything is written. Give files a --topic of their own, or a lake of their own.
The last line on stderr is: archived N lines into F files (offsets A..B) in WHERE; with
"; D of them dead letters" after B when D lines did not parse (each kept whole with its reason
under the lake's dead-letter folder).

Without FILE, the topic is read as group --group (default archiver) and each partition resumes
after the largest offset already in the lake: the lake, not the group's committed offsets, says
where, so a crash loses and repeats nothing. The engine is --engine, else LOGLAB_ENGINE, else
cluster when a Kafka broker answers at LOGLAB_KAFKA_BROKERS (127.0.0.1:9092, or --brokers).
The embedded broker lives inside one process, so nothing outside can feed it: archive a file,
or pipe lines into \`loglab archive -\`. Ctrl-C rolls the open files and exits 0; a second one exits at
once (130), and the next start discards what was left under _tmp/. The last line on stderr says
the lines archived, files, records skipped as already in the lake, rolls finished and files
discarded at start (recovery), and partitions with a gap (offsets the lake lacks).
HDFS that stops answering is retried for up to 120 s; a broker that goes away once the archiver
has joined (a restart) is waited for up to --broker-wait (5 minutes), then the group is joined
again and each partition resumes from what the lake holds.
`;

const DEFAULT_ROLL_BYTES = String(64 * 1024 * 1024);

export function registerArchive(program: Command): void {
  program
    .command('archive')
    .description('Store raw lines in the lake by event hour: a log file, or a Kafka topic.')
    .argument('[file]', 'log file to read, or - for stdin; none: read the topic')
    .addOption(
      new Option(
        '--engine <engine>',
        'embedded (a local lake directory) or cluster (Kafka and HDFS)',
      ).choices(['embedded', 'cluster']),
    )
    .option(
      '--lake <dir>',
      'the lake: a local directory (embedded, default out/lake), or a folder on HDFS (cluster, default /)',
    )
    .option('--roll-size <bytes>', 'roll a file once it holds this many bytes', DEFAULT_ROLL_BYTES)
    .option('--roll-interval <duration>', 'roll a file this long after it was opened', '60s')
    .addOption(
      new Option('--compress <codec>', 'store closed files compressed (….log.gz)')
        .choices(['none', 'gzip'])
        .default('none'),
    )
    .option('--topic <name>', 'topic to read, and the name the files start with', RAW_TOPIC)
    .option('--group <id>', 'consumer group (without FILE; default archiver)')
    .option('--brokers <list>', 'Kafka host:port[,…] (without FILE; default LOGLAB_KAFKA_BROKERS)')
    .option('--idle-exit <duration>', 'stop once nothing new came for this long (without FILE)')
    .option('--max <n>', 'stop after archiving this many lines (without FILE)')
    .addOption(brokerWaitOption('without FILE'))
    .addHelpText('after', EXAMPLES)
    .action(async (file: string | undefined, flags: ArchiveFlags) => {
      const settings = await archiveSettings(flags);
      const session = await import('../archive-session');
      if (file !== undefined) {
        for (const [flag, value] of [
          ['--group', flags.group],
          ['--brokers', flags.brokers],
          ['--idle-exit', flags.idleExit],
          ['--max', flags.max],
          ['--broker-wait', flags.brokerWait],
        ] as const) {
          if (value !== undefined) {
            throw badFlag(`${flag} is for reading a topic; leave FILE out to read one`);
          }
        }
        await session.archiveFile(file, settings);
      } else {
        await session.archiveTopic(settings, {
          group: flags.group,
          brokers: flags.brokers,
          idleExitMs:
            flags.idleExit === undefined
              ? undefined
              : await durationFlag(flags.idleExit, '--idle-exit'),
          maxLines: flags.max === undefined ? undefined : parseCount(flags.max, '--max', 1),
          brokerWaitMs: await brokerWaitMs(flags.brokerWait),
        });
      }
    });
}

async function durationFlag(text: string, flag: string): Promise<number> {
  const { durationFlag: parse } = await import('../detect-session');
  return parse(text, flag, false);
}

async function archiveSettings(flags: ArchiveFlags): Promise<ArchiveSettings> {
  return {
    engine: flags.engine,
    lake: flags.lake,
    topic: flags.topic,
    rollBytes: parseCount(flags.rollSize, '--roll-size', 1),
    rollIntervalMs: await durationFlag(flags.rollInterval, '--roll-interval'),
    compression: flags.compress,
  };
}
