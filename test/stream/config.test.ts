import { describe, expect, it } from 'vitest';
import { chooseEngine, createBroker, loadConfig, parseEngine } from '../../src/config';

describe('config: environment and adapter choice', () => {
  it('has defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      engine: null,
      kafka: { brokers: ['127.0.0.1:9092'], client: 'kafkajs' },
      hdfs: { url: 'http://127.0.0.1:9870', user: 'loglab' },
      yarn: { resourceManager: '127.0.0.1:8032', fromEnv: false },
      hadoopConfDir: null,
      hdfsFromEnv: false,
      debug: false,
    });
  });

  it('reads LOGLAB_ENGINE, LOGLAB_KAFKA_BROKERS and LOGLAB_DEBUG', () => {
    expect(
      loadConfig({
        LOGLAB_ENGINE: 'cluster',
        LOGLAB_KAFKA_BROKERS: 'kafka-1:9092, [::1]:9093,',
        LOGLAB_DEBUG: '1',
      }),
    ).toEqual({
      engine: 'cluster',
      kafka: { brokers: ['kafka-1:9092', '[::1]:9093'], client: 'kafkajs' },
      hdfs: { url: 'http://127.0.0.1:9870', user: 'loglab' },
      yarn: { resourceManager: '127.0.0.1:8032', fromEnv: false },
      hadoopConfDir: null,
      hdfsFromEnv: false,
      debug: true,
    });
    expect(loadConfig({ LOGLAB_DEBUG: 'false' }).debug).toBe(false);
    expect(loadConfig({ LOGLAB_DEBUG: '0' }).debug).toBe(false);
  });

  it('reads LOGLAB_YARN_RM and HADOOP_CONF_DIR for the yarn engine', () => {
    const c = loadConfig({
      LOGLAB_YARN_RM: 'rm.example.org:8032',
      HADOOP_CONF_DIR: '/etc/hadoop/conf',
      LOGLAB_HDFS_URL: 'http://nn.example.org:9870',
    });
    expect([c.yarn, c.hadoopConfDir, c.hdfsFromEnv]).toEqual([
      { resourceManager: 'rm.example.org:8032', fromEnv: true },
      '/etc/hadoop/conf',
      true,
    ]);
    expect(loadConfig({ LOGLAB_YARN_RM: '[::1]:8032' }).yarn.resourceManager).toBe('[::1]:8032');
    for (const bad of ['rm', ':8032', 'rm:0', 'rm:x', 'rm:8032/', 'http://rm:8032']) {
      expect(() => loadConfig({ LOGLAB_YARN_RM: bad }), bad).toThrow(
        `LOGLAB_YARN_RM must be host:port of a ResourceManager (yarn.resourcemanager.address), got "${bad}"`,
      );
    }
  });

  it('says in one sentence what is wrong with a setting', () => {
    expect(() => loadConfig({ LOGLAB_ENGINE: 'spark' })).toThrow(
      'LOGLAB_ENGINE must be embedded or cluster, got "spark"',
    );
    expect(() => loadConfig({ LOGLAB_KAFKA_BROKERS: 'localhost' })).toThrow(
      'LOGLAB_KAFKA_BROKERS must be host:port[,host:port…], got "localhost"',
    );
    expect(() => loadConfig({ LOGLAB_KAFKA_BROKERS: 'h:99999' })).toThrow(
      'LOGLAB_KAFKA_BROKERS must be',
    );
    expect(() => parseEngine('mem')).toThrow('--engine must be embedded or cluster, got "mem"');
  });

  it('builds the adapter for an engine without connecting anywhere', async () => {
    const config = loadConfig({ LOGLAB_KAFKA_BROKERS: '127.0.0.1:1,127.0.0.1:2' });
    const embedded = createBroker('embedded', config);
    expect([embedded.engine, embedded.address]).toEqual(['embedded', 'embedded']);
    const cluster = createBroker('cluster', config);
    expect([cluster.engine, cluster.address]).toEqual(['cluster', '127.0.0.1:1,127.0.0.1:2']);
    await cluster.close();
    await embedded.close();
  });

  it('chooses the engine: flag, then LOGLAB_ENGINE, then whether a broker answers', async () => {
    const none = loadConfig({});
    const up = async () => true;
    const down = async () => false;
    expect(
      await chooseEngine('embedded', loadConfig({ LOGLAB_ENGINE: 'cluster' }), 'embedded', up),
    ).toBe('embedded');
    expect(
      await chooseEngine(undefined, loadConfig({ LOGLAB_ENGINE: 'cluster' }), 'embedded', down),
    ).toBe('cluster');
    expect(await chooseEngine(undefined, none, 'embedded', up)).toBe('cluster');
    expect(await chooseEngine(undefined, none, 'embedded', down)).toBe('embedded');
    expect(await chooseEngine(undefined, none, 'cluster', down)).toBe('cluster');
    await expect(chooseEngine('both', none)).rejects.toThrow(
      '--engine must be embedded or cluster',
    );
  });
});
