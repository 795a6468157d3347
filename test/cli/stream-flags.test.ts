/**
 * The streaming commands' promises about flags: --help lists every flag on stdout, each usage
 * error is one line on stderr with exit code 2, and a cluster broker that does not answer is one
 * line with exit code 2 as well, never a stack trace or a hang. The commands run in this process
 * through the program's entry point (cli-basics checks the exit codes of the real binary).
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runLoglab } from './run-loglab';

function loglab(args: string[], env: Record<string, string> = {}) {
  return runLoglab(args, { env });
}

/** A loopback port nobody listens on: bound, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const FLAGS: Record<string, string[]> = {
  produce: [
    '--topic <name>',
    '--rate <r>',
    '--engine <engine>',
    '--format <format>',
    '--batch <n>',
    '--timestamp <source>',
    '--broker-wait <duration>',
  ],
  consume: [
    '--group <id>',
    '--from-beginning',
    '--max <n>',
    '--topic <name>',
    '--engine <engine>',
    '--broker-wait <duration>',
  ],
  topics: ['--engine <engine>', '--json'],
  stream: [
    '--lines <n>',
    '--seed <s>',
    '--rate <r>',
    '--speedup <k>',
    '--incidents <list>',
    '--engine <engine>',
    '--broker-wait <duration>',
    '--partitions <n>',
    '--group <id>',
    '--resume',
    '--topic <name>',
    '--archive',
    '--lake <dir>',
    '--archive-group <id>',
    '--roll-size <bytes>',
    '--roll-interval <duration>',
    '--compress <codec>',
    '--batch <n>',
    '--timestamp <source>',
    '--json',
    '--detect',
    '--dashboard',
    '--window <duration>',
    '--hop <duration>',
    '--lateness <duration>',
    '--web',
    '--port <n>',
    '--host <address>',
  ],
};

describe('--help of the streaming commands', () => {
  for (const [command, flags] of Object.entries(FLAGS)) {
    it(`${command} --help lists its flags on stdout`, async () => {
      const run = await loglab([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout.startsWith(`Usage: loglab ${command} [options]`)).toBe(true);
      const listed = [...run.stdout.matchAll(/^ {2}(-[-\w]+(?: <\w+>)?)/gm)].map((m) => m[1]);
      expect(listed).toEqual([...flags, '-h']);
    });
  }

  it('says in produce, consume and topics that the embedded engine is a one-process toy', async () => {
    for (const command of ['produce', 'consume', 'topics']) {
      const help = (await loglab([command, '--help'])).stdout.replace(/\s+/g, ' ');
      expect(help).toContain('it lives in this one process and is gone when it exits');
      expect(help).toContain('npm run cluster -- up');
    }
  });
});

describe('usage errors: one line on stderr, exit 2', () => {
  const cases: [string[], string][] = [
    [['produce', '--bogus'], "loglab produce: unknown option '--bogus'"],
    [
      ['produce', '--rate', 'fast', '--engine', 'embedded'],
      'loglab produce: --rate must be a number of lines per second above 0 (at most 10000000), got "fast"',
    ],
    [
      ['produce', '--batch', '0', '--engine', 'embedded'],
      'loglab produce: --batch must be a whole number ≥ 1, got "0"',
    ],
    [
      ['produce', '--engine', 'kafka'],
      "loglab produce: option '--engine <engine>' argument 'kafka' is invalid. Allowed choices are embedded, cluster.",
    ],
    [
      ['produce', '--format', 'xml'],
      "loglab produce: option '--format <format>' argument 'xml' is invalid. Allowed choices are auto, combined, combined-time, common, json.",
    ],
    [
      ['produce', '--engine', 'embedded', 'no/such/file.log'],
      'loglab produce: cannot read no/such/file.log: no such directory no/such',
    ],
    [
      ['stream', '--timestamp', 'later'],
      "loglab stream: option '--timestamp <source>' argument 'later' is invalid. Allowed choices are event, now.",
    ],
    [
      ['produce', '--broker-wait', 'forever', '--engine', 'embedded'],
      'loglab produce: --broker-wait must be a duration such as 30s, 5m or 1h, got "forever"',
    ],
    [
      ['consume', '--broker-wait', '-5s', '--engine', 'embedded'],
      'loglab consume: --broker-wait must be a duration such as 30s, 5m or 1h, got "-5s"',
    ],
    [
      ['produce', '--broker-wait', '2d', '--engine', 'embedded'],
      'loglab produce: --broker-wait must be at most 1d, got "2d"',
    ],
    [
      ['stream', '--broker-wait', '10', '--engine', 'embedded'],
      'loglab stream: --broker-wait must be a duration such as 30s, 5m or 1h, got "10"',
    ],
    [['consume', '--max', '-1'], 'loglab consume: --max must be a whole number ≥ 0, got "-1"'],
    [['consume', '--max', '2.5'], 'loglab consume: --max must be a whole number ≥ 0, got "2.5"'],
    [
      ['consume', 'extra'],
      "loglab consume: too many arguments for 'consume'. Expected 0 arguments but got 1.",
    ],
    [['topics', '--jsn'], "loglab topics: unknown option '--jsn'"],
    [
      ['stream', '--lines', 'many'],
      'loglab stream: --lines must be a whole number ≥ 0, got "many"',
    ],
    [
      ['stream', '--partitions', '0'],
      'loglab stream: --partitions must be a whole number ≥ 1, got "0"',
    ],
    // A million partitions kept the embedded broker busy for over an hour, deaf to Ctrl-C.
    [
      ['stream', '--partitions', '1e6'],
      'loglab stream: --partitions must be at most 1000, got 1e6',
    ],
    [
      ['stream', '--incidents', 'fire'],
      'loglab stream: unknown incident "fire" (known: error-burst, ip-flood, scanner, surge, outage, ddos, slow-scan, slow-page, all)',
    ],
    [['stream', '--group', ' '], 'loglab stream: --group must not be empty'],
  ];
  for (const [args, message] of cases) {
    it(`loglab ${args.join(' ')}`, async () => {
      expect(await loglab(args)).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
    });
  }

  it('an unknown LOGLAB_ENGINE is a usage error too', async () => {
    expect(await loglab(['topics'], { LOGLAB_ENGINE: 'kafka' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'loglab topics: LOGLAB_ENGINE must be embedded or cluster, got "kafka"\n',
    });
  });
});

describe('no Kafka broker', () => {
  it('--engine cluster: one line naming the address and how to start a broker, exit 2', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const env = { LOGLAB_KAFKA_BROKERS: address };
    const line = (command: string) =>
      `loglab ${command}: no Kafka broker answers at ${address} (ECONNREFUSED); start one with \`npm run cluster -- up\`, or use --engine embedded\n`;
    // Each run waits out the client's retries; the runs do not share streams, so they overlap.
    const runs = await Promise.all([
      loglab(['produce', '--engine', 'cluster'], env),
      loglab(['consume', '--engine', 'cluster'], env),
      loglab(['topics', '--engine', 'cluster'], env),
      loglab(['stream', '--engine', 'cluster', '--lines', '10'], env),
      // LOGLAB_ENGINE chooses the same way as the flag.
      loglab(['topics'], { ...env, LOGLAB_ENGINE: 'cluster' }),
    ]);
    const commands = ['produce', 'consume', 'topics', 'stream', 'topics'];
    runs.forEach((run, i) => {
      expect(run).toEqual({ code: 2, stdout: '', stderr: line(commands[i]) });
    });
  });

  it('without --engine: produce, consume and topics say how to start one instead of guessing', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    for (const command of ['produce', 'consume', 'topics']) {
      expect(await loglab([command], { LOGLAB_KAFKA_BROKERS: address })).toEqual({
        code: 2,
        stdout: '',
        stderr: `loglab ${command}: no Kafka broker answers at ${address}; start one with \`npm run cluster -- up\`, or use --engine embedded\n`,
      });
    }
  });

  it('without --engine: stream runs on the embedded engine', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const run = await loglab(['stream', '--lines', '100', '--json'], {
      LOGLAB_KAFKA_BROKERS: address,
    });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect([summary.engine, summary.produced, summary.consumed]).toEqual(['embedded', 100, 100]);
  });
});
