/**
 * The streaming commands' promises about flags, checked on the real process: --help lists every
 * flag on stdout, each usage error is one line on stderr with exit code 2, and a cluster broker
 * that does not answer is one line with exit code 2 as well, never a stack trace or a hang.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');

function loglab(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input: '',
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '', ...env },
    // A hang is a failure too; the kafkajs retries take a few seconds.
    timeout: 60_000,
  });
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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
  ],
  consume: ['--group <id>', '--from-beginning', '--max <n>', '--topic <name>', '--engine <engine>'],
  topics: ['--engine <engine>', '--json'],
  stream: [
    '--lines <n>',
    '--seed <s>',
    '--rate <r>',
    '--speedup <k>',
    '--incidents <list>',
    '--engine <engine>',
    '--partitions <n>',
    '--group <id>',
    '--batch <n>',
    '--timestamp <source>',
    '--json',
    '--detect',
    '--dashboard',
    '--window <duration>',
    '--hop <duration>',
    '--lateness <duration>',
  ],
};

describe('--help of the streaming commands', () => {
  for (const [command, flags] of Object.entries(FLAGS)) {
    it(`${command} --help lists its flags on stdout`, () => {
      const run = loglab([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout.startsWith(`Usage: loglab ${command} [options]`)).toBe(true);
      const listed = [...run.stdout.matchAll(/^ {2}(-[-\w]+(?: <\w+>)?)/gm)].map((m) => m[1]);
      expect(listed).toEqual([...flags, '-h']);
    });
  }

  it('says in produce, consume and topics that the embedded engine is a one-process toy', () => {
    for (const command of ['produce', 'consume', 'topics']) {
      const help = loglab([command, '--help']).stdout.replace(/\s+/g, ' ');
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
      'loglab: --rate must be a number of lines per second above 0 (at most 10000000), got "fast"',
    ],
    [
      ['produce', '--batch', '0', '--engine', 'embedded'],
      'loglab: --batch must be a whole number ≥ 1, got "0"',
    ],
    [
      ['produce', '--engine', 'kafka'],
      "loglab produce: option '--engine <engine>' argument 'kafka' is invalid. Allowed choices are embedded, cluster.",
    ],
    [
      ['produce', '--format', 'xml'],
      "loglab produce: option '--format <format>' argument 'xml' is invalid. Allowed choices are auto, combined, common, json.",
    ],
    [
      ['produce', '--engine', 'embedded', 'no/such/file.log'],
      'loglab: cannot read no/such/file.log: no such directory no/such',
    ],
    [
      ['stream', '--timestamp', 'later'],
      "loglab stream: option '--timestamp <source>' argument 'later' is invalid. Allowed choices are event, now.",
    ],
    [['consume', '--max', '-1'], 'loglab: --max must be a whole number ≥ 0, got "-1"'],
    [['consume', '--max', '2.5'], 'loglab: --max must be a whole number ≥ 0, got "2.5"'],
    [
      ['consume', 'extra'],
      "loglab consume: too many arguments for 'consume'. Expected 0 arguments but got 1.",
    ],
    [['topics', '--jsn'], "loglab topics: unknown option '--jsn'"],
    [['stream', '--lines', 'many'], 'loglab: --lines must be a whole number ≥ 0, got "many"'],
    [['stream', '--partitions', '0'], 'loglab: --partitions must be a whole number ≥ 1, got "0"'],
    [
      ['stream', '--incidents', 'fire'],
      'loglab: unknown incident "fire" (known: error-burst, ip-flood, scanner, all)',
    ],
    [['stream', '--group', ' '], 'loglab: --group must not be empty'],
  ];
  for (const [args, message] of cases) {
    it(`loglab ${args.join(' ')}`, () => {
      expect(loglab(args)).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
    });
  }

  it('an unknown LOGLAB_ENGINE is a usage error too', () => {
    expect(loglab(['topics'], { LOGLAB_ENGINE: 'kafka' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'loglab: LOGLAB_ENGINE must be embedded or cluster, got "kafka"\n',
    });
  });
});

describe('no Kafka broker', () => {
  it('--engine cluster: one line naming the address and how to start a broker, exit 2', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const env = { LOGLAB_KAFKA_BROKERS: address };
    const line = `loglab: no Kafka broker answers at ${address} (ECONNREFUSED); start one with \`npm run cluster -- up\`, or use --engine embedded\n`;
    for (const args of [
      ['produce', '--engine', 'cluster'],
      ['consume', '--engine', 'cluster'],
      ['topics', '--engine', 'cluster'],
      ['stream', '--engine', 'cluster', '--lines', '10'],
    ]) {
      expect(loglab(args, env)).toEqual({ code: 2, stdout: '', stderr: line });
    }
    // LOGLAB_ENGINE chooses the same way as the flag.
    expect(loglab(['topics'], { ...env, LOGLAB_ENGINE: 'cluster' })).toEqual({
      code: 2,
      stdout: '',
      stderr: line,
    });
  });

  it('without --engine: produce, consume and topics say how to start one instead of guessing', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    for (const command of ['produce', 'consume', 'topics']) {
      expect(loglab([command], { LOGLAB_KAFKA_BROKERS: address })).toEqual({
        code: 2,
        stdout: '',
        stderr: `loglab: no Kafka broker answers at ${address}; start one with \`npm run cluster -- up\`, or use --engine embedded\n`,
      });
    }
  });

  it('without --engine: stream runs on the embedded engine', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const run = loglab(['stream', '--lines', '100', '--json'], { LOGLAB_KAFKA_BROKERS: address });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect([summary.engine, summary.produced, summary.consumed]).toEqual(['embedded', 100, 100]);
  });
});
