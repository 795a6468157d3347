import { describe, expect, it } from 'vitest';
import defaults from '../../scripts/cluster/defaults.json';
import { loadConfig } from '../../src/config';

describe('config: where WebHDFS is and who calls it', () => {
  it('defaults to the HDFS that `npm run cluster -- up` starts, as user loglab', () => {
    expect(loadConfig({}).hdfs).toEqual({ url: 'http://127.0.0.1:9870', user: 'loglab' });
    // Empty counts as unset, as for the other variables.
    expect(loadConfig({ LOGLAB_HDFS_URL: '', LOGLAB_HDFS_USER: '' }).hdfs).toEqual({
      url: 'http://127.0.0.1:9870',
      user: 'loglab',
    });
    const { host, httpPort } = defaults.hdfs;
    expect(loadConfig({}).hdfs.url).toBe(`http://${host}:${httpPort}`);
  });

  it('reads LOGLAB_HDFS_URL and LOGLAB_HDFS_USER, keeping only the URL origin', () => {
    expect(
      loadConfig({ LOGLAB_HDFS_URL: 'https://nn.example.org:9871/', LOGLAB_HDFS_USER: 'hdfs' })
        .hdfs,
    ).toEqual({ url: 'https://nn.example.org:9871', user: 'hdfs' });
    expect(loadConfig({ LOGLAB_HDFS_URL: 'http://[::1]:50070' }).hdfs.url).toBe(
      'http://[::1]:50070',
    );
    // No port: the scheme's own (Hadoop 2's NameNode served WebHDFS on 50070, 3's on 9870).
    expect(loadConfig({ LOGLAB_HDFS_URL: 'http://namenode' }).hdfs.url).toBe('http://namenode');
  });

  it('says in one sentence what is wrong with a setting', () => {
    for (const bad of [
      '127.0.0.1:9870',
      'hdfs://127.0.0.1:8020',
      'http://127.0.0.1:9870/webhdfs/v1',
      'http://127.0.0.1:9870?user.name=x',
      'http://me:secret@127.0.0.1:9870',
      'not a url',
    ]) {
      expect(() => loadConfig({ LOGLAB_HDFS_URL: bad })).toThrow(
        `LOGLAB_HDFS_URL must be http://host:port of a NameNode's WebHDFS, got "${bad}"`,
      );
    }
    for (const bad of ['a b', 'x&user.name=root', '-rf', 'ü']) {
      expect(() => loadConfig({ LOGLAB_HDFS_USER: bad })).toThrow(
        `LOGLAB_HDFS_USER must be a user name (letters, digits, . _ -), got "${bad}"`,
      );
    }
  });
});
