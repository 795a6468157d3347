import { describe, expect, it } from 'vitest';
import { type StreamingJob, streamingArgs } from '../../src/hadoop/streaming-args';

const job: StreamingJob = {
  name: 'errors',
  input: ['/loglab/raw/date=2026-11-14', '/loglab/raw/date=2026-11-15'],
  output: '/loglab/out/errors',
  files: ['/tmp/x/task.mjs'],
  mapper: 'node task.mjs errors map',
  combiner: 'node task.mjs errors combine',
  reducer: 'node task.mjs errors reduce',
  reducers: 2,
};

describe('streamingArgs', () => {
  it('puts generic -D options before the streaming options, the local runner on HDFS', () => {
    expect(
      streamingArgs(job, { framework: 'local', defaultFs: 'hdfs://127.0.0.1:8020' }, '/w/tmp'),
    ).toEqual([
      'org.apache.hadoop.streaming.HadoopStreaming',
      '-D',
      'mapreduce.framework.name=local',
      '-D',
      'fs.defaultFS=hdfs://127.0.0.1:8020',
      '-D',
      'hadoop.tmp.dir=/w/tmp',
      '-D',
      'mapreduce.local.map.tasks.maximum=1',
      '-D',
      'mapreduce.local.reduce.tasks.maximum=1',
      '-D',
      'mapreduce.map.maxattempts=1',
      '-D',
      'mapreduce.reduce.maxattempts=1',
      '-D',
      'mapreduce.job.name=errors',
      '-files',
      '/tmp/x/task.mjs',
      '-input',
      '/loglab/raw/date=2026-11-14',
      '-input',
      '/loglab/raw/date=2026-11-15',
      '-output',
      '/loglab/out/errors',
      '-mapper',
      'node task.mjs errors map',
      '-combiner',
      'node task.mjs errors combine',
      '-reducer',
      'node task.mjs errors reduce',
      '-numReduceTasks',
      '2',
    ]);
  });

  it('names the ResourceManager and the application classpath on YARN, nothing on a conf dir', () => {
    const yarn = streamingArgs(
      { ...job, name: undefined, maxAttempts: 4, properties: { 'mapreduce.job.maps': '4' } },
      { framework: 'yarn', defaultFs: 'hdfs://nn:8020', applicationClasspath: '/lib/*' },
      '/w/tmp',
    );
    const props = yarn.filter((_, i) => yarn[i - 1] === '-D');
    expect(props).toEqual([
      'mapreduce.framework.name=yarn',
      'fs.defaultFS=hdfs://nn:8020',
      'yarn.resourcemanager.address=127.0.0.1:8032',
      'mapreduce.application.classpath=/lib/*',
      'yarn.resourcemanager.connect.max-wait.ms=10000',
      'yarn.resourcemanager.connect.retry-interval.ms=1000',
      'mapreduce.map.maxattempts=4',
      'mapreduce.reduce.maxattempts=4',
      'mapreduce.job.maps=4',
    ]);
    const conf = streamingArgs(job, { framework: 'conf', confDir: '/etc/hadoop' }, '/w/tmp');
    expect(conf.filter((_, i) => conf[i - 1] === '-D')).toEqual([
      'mapreduce.map.maxattempts=1',
      'mapreduce.reduce.maxattempts=1',
      'mapreduce.job.name=errors',
    ]);
    // LOGLAB_YARN_RM over a configuration directory's ResourceManager.
    const rm = streamingArgs(
      job,
      { framework: 'conf', confDir: '/etc/hadoop', resourceManager: 'rm:8032' },
      '/w/tmp',
    );
    expect(rm.filter((_, i) => rm[i - 1] === '-D')[0]).toBe('yarn.resourcemanager.address=rm:8032');
  });

  it('names an input format after the inputs', () => {
    const args = streamingArgs(
      { ...job, inputFormat: 'org.apache.hadoop.mapred.lib.CombineTextInputFormat' },
      { framework: 'local', defaultFs: 'hdfs://h:1' },
      '/t',
    );
    const at = args.indexOf('-inputformat');
    expect(args.slice(at - 2, at + 3)).toEqual([
      '-input',
      '/loglab/raw/date=2026-11-15',
      '-inputformat',
      'org.apache.hadoop.mapred.lib.CombineTextInputFormat',
      '-output',
    ]);
    expect(streamingArgs(job, { framework: 'local', defaultFs: 'hdfs://h:1' }, '/t')).not.toContain(
      '-inputformat',
    );
  });

  it('makes a job without a reducer map-only', () => {
    const args = streamingArgs(
      { ...job, combiner: undefined, reducer: undefined },
      { framework: 'local', defaultFs: 'hdfs://h:1' },
      '/t',
    );
    expect(args.slice(-2)).toEqual(['-numReduceTasks', '0']);
    expect(args).not.toContain('-reducer');
  });

  it('refuses relative paths, a comma in a shipped file, no input and bad counts', () => {
    const local = { framework: 'local', defaultFs: 'hdfs://h:1' } as const;
    const bad: [Partial<StreamingJob>, string][] = [
      [{ input: [] }, 'Hadoop Streaming needs at least one input path'],
      [{ input: ['raw/x'] }, 'Hadoop Streaming input must be an absolute path, got "raw/x"'],
      [{ output: 'out' }, 'Hadoop Streaming output must be an absolute path, got "out"'],
      [{ files: ['task.mjs'] }, 'Hadoop Streaming file must be an absolute path, got "task.mjs"'],
      [{ files: ['/a,b.mjs'] }, 'a file shipped with -files cannot hold a comma: /a,b.mjs'],
      [{ reducers: -1 }, 'Hadoop Streaming reducers must be a whole number, got -1'],
      [{ maxAttempts: 0 }, 'Hadoop Streaming maxAttempts must be a whole number, got 0'],
    ];
    for (const [change, message] of bad) {
      expect(() => streamingArgs({ ...job, ...change }, local, '/t')).toThrow(message);
    }
    expect(() =>
      streamingArgs({ ...job, input: ['hdfs://nn:8020/raw'] }, local, '/t'),
    ).not.toThrow();
  });
});
