/** The runners as the library hands them out when asked for (notebooks load it as a whole). */
import { describe, expect, it } from 'vitest';
import { defaultFsOf, embeddedRunner, hadoopRunner } from '../../src/batch/runners';
import type { Store } from '../../src/storage/store';

describe('runners', () => {
  it('embeddedRunner: the embedded adapter, its options checked', async () => {
    expect((await embeddedRunner({ workers: 2 })).engine).toBe('embedded');
    await expect(embeddedRunner({ workers: 0 })).rejects.toThrow(
      'workers must be a whole number ≥ 1, got 0',
    );
  });

  it('hadoopRunner: the Hadoop adapter, nothing contacted until it runs', async () => {
    const runner = await hadoopRunner({ store: {} as Store, defaultFs: 'hdfs://127.0.0.1:8020' });
    expect(runner.engine).toBe('hadoop');
  });

  it("defaultFsOf: the NameNode's RPC address on WebHDFS's host", () => {
    expect(defaultFsOf('http://127.0.0.1:9870')).toBe('hdfs://127.0.0.1:8020');
    expect(defaultFsOf('https://nn.example.org:50470', 9000)).toBe('hdfs://nn.example.org:9000');
  });
});
