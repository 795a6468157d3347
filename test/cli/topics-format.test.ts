/**
 * `loglab topics` as a table: anyone may make a consumer group on a shared broker, so a group's
 * name reaches the terminal with its control characters shown as \xHH, as log text does.
 */
import { describe, expect, it } from 'vitest';
import { formatOverview } from '../../src/cli/commands/topics';

describe('formatOverview', () => {
  it('shows a group name with its control characters escaped, the columns counting what is shown', () => {
    const text = formatOverview({
      engine: 'kafka',
      address: '127.0.0.1:9092',
      topics: [],
      groups: [
        {
          groupId: 'x\u001b[31mRED\u0007',
          topic: 't',
          committed: 5,
          end: 7,
          lag: 2,
          partitions: [],
        },
      ],
    });
    expect(text).toBe(
      [
        'Kafka at 127.0.0.1:9092',
        '',
        'no topics',
        '',
        'group             topic  committed  end  lag',
        'x\\x1b[31mRED\\x07  t              5    7    2',
        '',
      ].join('\n'),
    );
  });
});
