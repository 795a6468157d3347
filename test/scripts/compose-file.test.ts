/**
 * docker/compose.yml cannot run on machines without a Docker engine (CI among them), so it is
 * kept honest here: valid against the Compose Specification's JSON schema (the copy that the
 * dclint package ships; Debian's docker-compose 1.29 would reject the modern top-level `name`),
 * and equal to the native starter in versions, loopback ports and settings.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import defaults from '../../scripts/cluster/defaults.json';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Service {
  image: string;
  ports?: string[];
  environment?: Record<string, string | number>;
}
const compose = parse(read('docker/compose.yml'), { merge: true }) as {
  name: string;
  services: Record<string, Service>;
};

function composeValidator() {
  const schema = JSON.parse(
    readFileSync(
      join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json'),
      'utf8',
    ),
  );
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema names draft-07 by its https address; Ajv knows it by the http one.
  const draft7 = require('ajv/dist/refs/json-schema-draft-07.json');
  ajv.addMetaSchema({ ...draft7, $id: schema.$schema });
  return ajv.compile(schema);
}

/** `${VAR:-default}` in an image tag: the default, which the native starter must equal. */
function tagDefault(image: string, variable: string): string | undefined {
  return new RegExp(`:\\$\\{${variable}:-([^}]+)\\}$`).exec(image)?.[1];
}

/** name → value of a Hadoop XML configuration file. */
function hadoopXml(file: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const m of read(file).matchAll(/<name>([^<]+)<\/name>\s*<value>([^<]*)<\/value>/g)) {
    props.set(m[1], m[2]);
  }
  return props;
}

/** key → value of a Java properties file, without comments. */
function javaProperties(file: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of read(file).split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const eq = t.indexOf('=');
    props.set(t.slice(0, eq), t.slice(eq + 1));
  }
  return props;
}

describe('docker/compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const validate = composeValidator();
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    // The validator can fail: an unknown key in a service is refused.
    const broken = structuredClone(compose) as unknown as {
      services: Record<string, Record<string, unknown>>;
    };
    broken.services.namenode.port = ['9870:9870'];
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({
      instancePath: '/services/namenode',
      params: { additionalProperty: 'port' },
    });
  });

  it('has the services the cluster script starts with --docker', () => {
    expect(compose.name).toBe('loglab');
    expect(Object.keys(compose.services).sort()).toEqual([
      'datanode',
      'historyserver',
      'kafka',
      'namenode',
      'nodemanager',
      'resourcemanager',
    ]);
  });

  it('runs the releases the native starter resolves from Maven Central', () => {
    const { kafka, namenode, datanode, resourcemanager, nodemanager, historyserver } =
      compose.services;
    expect(tagDefault(kafka.image, 'LOGLAB_KAFKA_VERSION')).toBe(defaults.kafka.version);
    expect(kafka.image.startsWith('apache/kafka:')).toBe(true);
    for (const node of [namenode, datanode]) {
      expect(node.image.startsWith('apache/hadoop:')).toBe(true);
      expect(tagDefault(node.image, 'LOGLAB_HADOOP_VERSION')).toBe(defaults.hdfs.version);
    }
    for (const node of [resourcemanager, nodemanager, historyserver]) {
      expect(node.image.startsWith('apache/hadoop:')).toBe(true);
      expect(tagDefault(node.image, 'LOGLAB_HADOOP_VERSION')).toBe(defaults.yarn.version);
    }
  });

  it('publishes the native ports, on loopback only', () => {
    const { kafka, namenode } = compose.services;
    expect(kafka.ports).toEqual([
      `${defaults.kafka.host}:${defaults.kafka.port}:${defaults.kafka.port}`,
    ]);
    expect(namenode.ports).toEqual([
      `${defaults.hdfs.host}:${defaults.hdfs.rpcPort}:${defaults.hdfs.rpcPort}`,
      `${defaults.hdfs.host}:${defaults.hdfs.httpPort}:${defaults.hdfs.httpPort}`,
    ]);
    const y = defaults.yarn;
    expect(compose.services.resourcemanager.ports).toEqual([
      `${y.host}:${y.rmPort}:${y.rmPort}`,
      `${y.host}:${y.webPort}:${y.webPort}`,
    ]);
    expect(compose.services.historyserver.ports).toEqual([
      `${y.host}:${y.historyPort}:${y.historyPort}`,
      `${y.host}:${y.historyWebPort}:${y.historyWebPort}`,
    ]);
    expect(compose.services.nodemanager.ports).toBeUndefined();
    const published = Object.entries(compose.services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => `${name} ${p}`),
    );
    expect(published.filter((p) => !p.split(' ')[1].startsWith('127.0.0.1:'))).toEqual([]);
  });

  it('gives HDFS the settings of the native hdfs-site.xml', () => {
    const native = hadoopXml('scripts/cluster/hdfs/hdfs-site.xml');
    for (const node of ['namenode', 'datanode']) {
      const env = compose.services[node].environment ?? {};
      for (const name of [
        'dfs.replication',
        'dfs.permissions.enabled',
        'dfs.namenode.safemode.extension',
      ]) {
        expect(`${node} ${name}=${env[`HDFS-SITE.XML_${name}`]}`).toBe(
          `${node} ${name}=${native.get(name)}`,
        );
      }
      expect(env['CORE-SITE.XML_fs.defaultFS']).toBe(`hdfs://namenode:${defaults.hdfs.rpcPort}`);
    }
  });

  it('gives YARN the settings of the native yarn-site.xml and mapred-site.xml', () => {
    const yarnSite = hadoopXml('scripts/cluster/yarn/yarn-site.xml');
    const mapredSite = hadoopXml('scripts/cluster/yarn/mapred-site.xml');
    const shared: [Map<string, string>, string, string][] = [
      [yarnSite, 'YARN-SITE.XML', 'yarn.nodemanager.resource.memory-mb'],
      [yarnSite, 'YARN-SITE.XML', 'yarn.nodemanager.resource.cpu-vcores'],
      [yarnSite, 'YARN-SITE.XML', 'yarn.nodemanager.vmem-check-enabled'],
      [
        yarnSite,
        'YARN-SITE.XML',
        'yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage',
      ],
      [mapredSite, 'MAPRED-SITE.XML', 'mapreduce.framework.name'],
      [mapredSite, 'MAPRED-SITE.XML', 'mapreduce.jobhistory.intermediate-done-dir'],
      [mapredSite, 'MAPRED-SITE.XML', 'mapreduce.jobhistory.done-dir'],
    ];
    for (const node of ['resourcemanager', 'nodemanager', 'historyserver']) {
      const env = compose.services[node].environment ?? {};
      for (const [native, file, name] of shared) {
        expect(native.has(name)).toBe(true);
        expect(`${node} ${name}=${env[`${file}_${name}`]}`).toBe(
          `${node} ${name}=${native.get(name)}`,
        );
      }
      expect(env['CORE-SITE.XML_fs.defaultFS']).toBe(`hdfs://namenode:${defaults.hdfs.rpcPort}`);
    }
  });

  it('gives Kafka the settings of the native server.properties', () => {
    const env = compose.services.kafka.environment ?? {};
    // Addresses and directories differ by nature inside a container; everything else is equal.
    const differ = new Set([
      'controller.quorum.voters',
      'listeners',
      'advertised.listeners',
      'log.dirs',
    ]);
    const mismatches: string[] = [];
    for (const [key, value] of javaProperties('scripts/cluster/kafka/server.properties')) {
      if (differ.has(key)) continue;
      const name = `KAFKA_${key.toUpperCase().replaceAll('.', '_')}`;
      if (String(env[name]) !== value) mismatches.push(`${key}=${value} but ${name}=${env[name]}`);
    }
    expect(mismatches).toEqual([]);
  });
});
