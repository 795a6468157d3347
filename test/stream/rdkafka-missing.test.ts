/**
 * LOGLAB_KAFKA_CLIENT=rdkafka without @confluentinc/kafka-javascript installed: one line saying
 * how to install it, exit 2, and nothing else loads it. Runs without the package (and without a
 * broker); the end-to-end case runs only where the package is not installed, and says so.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import { isLoglabError } from '../../src/errors';
import { loadRdkafka, RDKAFKA_MISSING, RDKAFKA_PACKAGE } from '../../src/stream/rdkafka-api';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');

function installed(): boolean {
  try {
    createRequire(join(ROOT, 'package.json')).resolve(RDKAFKA_PACKAGE);
    return true;
  } catch {
    return false;
  }
}

/** Node's own error for an ES import of a package that is not there. */
function notFound(name: string): Error {
  return Object.assign(new Error(`Cannot find package '${name}' imported from ${ROOT}src/x.ts`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
}

describe('the rdkafka client when its package is missing', () => {
  it('reads LOGLAB_KAFKA_CLIENT, kafkajs by default', () => {
    expect(loadConfig({}).kafka.client).toBe('kafkajs');
    expect(loadConfig({ LOGLAB_KAFKA_CLIENT: 'rdkafka' }).kafka.client).toBe('rdkafka');
    expect(() => loadConfig({ LOGLAB_KAFKA_CLIENT: 'librdkafka' })).toThrow(
      'LOGLAB_KAFKA_CLIENT must be kafkajs or rdkafka, got "librdkafka"',
    );
  });

  it('says in one line how to install it, for a real import of a package that is not there', async () => {
    const err = await loadRdkafka(
      (name) => import(name),
      '@confluentinc/kafka-javascript-not-installed',
    ).catch((e) => e);
    expect(isLoglabError(err)).toBe(true);
    expect([err.code, err.message]).toEqual(['NOT_FOUND', RDKAFKA_MISSING]);
    expect(RDKAFKA_MISSING).toBe(
      'LOGLAB_KAFKA_CLIENT=rdkafka needs @confluentinc/kafka-javascript: run npm run kafka:rdkafka',
    );
  });

  it('tells a package whose native binding does not load from a missing one', async () => {
    const binding = Object.assign(
      new Error("Cannot find module '../build/Release/confluent-kafka-javascript.node'"),
      { code: 'MODULE_NOT_FOUND' },
    );
    const err = await loadRdkafka(async () => {
      throw binding;
    }).catch((e) => e);
    expect(err.message).toBe(
      "@confluentinc/kafka-javascript is installed but does not load (Cannot find module '../build/Release/confluent-kafka-javascript.node'): run npm run kafka:rdkafka",
    );
  });

  it('fails every call of a broker asked for with it, and loads nothing at creation', async () => {
    let imports = 0;
    const broker = createBroker('cluster', loadConfig({ LOGLAB_KAFKA_CLIENT: 'rdkafka' }), {
      rdkafka: {
        importer: async (name) => {
          imports++;
          throw notFound(name);
        },
      },
    });
    expect(imports).toBe(0);
    const calls = [
      broker.produce('t', [{ key: null, value: 'v' }]),
      broker.subscribe({ groupId: 'g', topics: ['t'] }),
      broker.listTopics(),
      broker.createTopics([{ name: 't' }]),
    ];
    for (const call of calls) {
      await expect(call).rejects.toMatchObject({ code: 'NOT_FOUND', message: RDKAFKA_MISSING });
    }
    await broker.close();
  });

  it.skipIf(installed())(
    'loglab topics --engine cluster: the one line, exit 2 (skipped where the package is installed)',
    async () => {
      const failure = await promisify(execFile)(
        process.execPath,
        [BIN, 'topics', '--engine', 'cluster'],
        { cwd: ROOT, env: { ...process.env, LOGLAB_KAFKA_CLIENT: 'rdkafka' }, timeout: 60_000 },
      ).catch((e) => e);
      expect([failure.code, failure.stdout, failure.stderr]).toEqual([
        2,
        '',
        `loglab topics: ${RDKAFKA_MISSING}\n`,
      ]);
    },
    60_000,
  );
});
