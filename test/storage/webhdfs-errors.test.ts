import { describe, expect, it } from 'vitest';
import { isStoreOutage } from '../../src/storage/retrying-store';
import { webhdfsError } from '../../src/storage/webhdfs-errors';

describe('webhdfsError', () => {
  it('takes a NameNode without a DataNode yet (just restarted) for an outage, not a refusal', () => {
    const err = webhdfsError(
      'http://127.0.0.1:9870/webhdfs/v1',
      '/loglab/raw/_tmp/t+2+0.tmp',
      new Error('Failed to find datanode, suggest to check cluster health. excludeDatanodes=null'),
    );
    expect([err.code, err.retriable, err.context.path, isStoreOutage(err)]).toEqual([
      'SERVICE_DOWN',
      true,
      '/loglab/raw/_tmp/t+2+0.tmp',
      true,
    ]);
  });
});
