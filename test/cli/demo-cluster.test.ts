/**
 * `loglab demo --cluster` before it runs: services already up are used as they are; Kafka or
 * HDFS down, or the Hadoop jars missing, start the cluster script, each said first; a start
 * that fails is one SERVICE_DOWN error. The probes and the script are stand-ins here (the real
 * path with the services up: test/cluster/demo-cluster.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { type ClusterProbes, ensureCluster } from '../../src/cli/demo-cluster';

function probes(kafka: boolean, hdfs: string | null, jars: boolean): ClusterProbes {
  return { kafka: async () => kafka, hdfs: async () => hdfs, hadoopJars: () => jars };
}

async function attempt(p: ClusterProbes, code = 0, mayStart = true) {
  const said: string[] = [];
  const ran: string[][] = [];
  const result = await ensureCluster(
    p,
    (line) => said.push(line),
    async (args) => {
      ran.push([...args]);
      return code;
    },
    mayStart,
  ).then(
    () => 'ok',
    (err: { code?: string; message: string }) => `${err.code}: ${err.message}`,
  );
  return { said, ran, result };
}

describe('demo --cluster: the services', () => {
  it('uses Kafka and HDFS when they answer and starts nothing', async () => {
    expect(await attempt(probes(true, null, true))).toEqual({
      said: ['Kafka and HDFS are up: using them'],
      ran: [],
      result: 'ok',
    });
  });

  it('starts them with the cluster script when one does not answer, and says so first', async () => {
    expect(await attempt(probes(true, 'ECONNREFUSED', true))).toEqual({
      said: ['HDFS (ECONNREFUSED) not up: starting Kafka and HDFS with npm run cluster -- up'],
      ran: [['up']],
      result: 'ok',
    });
    expect((await attempt(probes(false, 'ECONNREFUSED', true))).said).toEqual([
      'Kafka and HDFS (ECONNREFUSED) not up: starting Kafka and HDFS with npm run cluster -- up',
    ]);
  });

  it('fetches the Hadoop jars when they are missing', async () => {
    expect(await attempt(probes(true, null, false))).toEqual({
      said: [
        'Kafka and HDFS are up: using them',
        'the Hadoop jars are missing: fetching them with npm run cluster -- jars --services yarn',
      ],
      ran: [['jars', '--services', 'yarn']],
      result: 'ok',
    });
  });

  it('with --no-start starts and fetches nothing: what is not up is one line', async () => {
    expect(await attempt(probes(false, null, true), 0, false)).toEqual({
      said: [],
      ran: [],
      result:
        'SERVICE_DOWN: Kafka not up, and --no-start leaves them as they are: start them with npm run cluster -- up, or run without --no-start',
    });
    expect(await attempt(probes(true, null, false), 0, false)).toEqual({
      said: ['Kafka and HDFS are up: using them'],
      ran: [],
      result:
        'SERVICE_DOWN: the Hadoop jars are missing, and --no-start fetches nothing: fetch them with npm run cluster -- jars --services yarn, or run without --no-start',
    });
    expect(await attempt(probes(true, null, true), 0, false)).toEqual({
      said: ['Kafka and HDFS are up: using them'],
      ran: [],
      result: 'ok',
    });
  });

  it('fails in one line when the script fails', async () => {
    expect((await attempt(probes(false, null, true), 1)).result).toBe(
      'SERVICE_DOWN: npm run cluster -- up failed (its output is above); start the services and run again',
    );
  });
});
