import { describe, expect, it } from 'vitest';
import { getParser } from '../../src/log/parser';
import { ArchiveRoller } from '../../src/pipeline/archive-roller';

const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 5, 22, 0, 0);

/** A combined line at epoch ms `t` (UTC), `pad` extra path characters. */
function line(t: number, pad = 0): string {
  const d = new Date(t);
  const mon = d.toUTCString().slice(8, 11);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const stamp = `${p2(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
  return `10.0.0.1 - - [${stamp}] "GET /${'a'.repeat(pad)} HTTP/1.1" 200 5 "-" "ua"`;
}

function roller(over: Partial<{ rollBytes: number; rollIntervalMs: number; lateness: number }>) {
  return new ArchiveRoller(
    {
      topic: 'weblogs.raw',
      rollBytes: over.rollBytes ?? 1_000_000,
      rollIntervalMs: over.rollIntervalMs ?? 60_000,
      allowedLatenessMs: over.lateness ?? 0,
    },
    getParser('auto'),
  );
}

describe('archive roller', () => {
  it('routes each line to the file of its event hour, dead letters apart, and names them', () => {
    const r = roller({});
    r.add(2, 10, line(T0 + 5_000), 0);
    r.add(2, 11, line(T0 + H + 1_000), 0);
    r.add(2, 12, 'not a log line', 0);
    r.add(2, 13, line(T0 + 9_000), 0);
    const roll = r.roll(2);
    expect(roll?.nextOffset).toBe(14);
    expect(roll?.files.map((f) => [f.tmpPath, f.finalPath, f.file.pending.length])).toEqual([
      [
        '/loglab/raw/_tmp/weblogs.raw+2+10.tmp',
        '/loglab/raw/date=2026-12-05/hour=22/weblogs.raw+2+10+13.log',
        2,
      ],
      [
        '/loglab/raw/_tmp/weblogs.raw+2+11.tmp',
        '/loglab/raw/date=2026-12-05/hour=23/weblogs.raw+2+11+11.log',
        1,
      ],
      ['/loglab/raw/_tmp/weblogs.raw+2+12.tmp', '/loglab/deadletter/weblogs.raw+2+12+12.log', 1],
    ]);
    const dead = JSON.parse(roll?.files[2].file.pending[0] as string);
    expect(dead).toEqual({
      reason: 'bad-timestamp',
      message: 'no [timestamp] after host, ident and user',
      line: 'not a log line',
    });
    expect(r.roll(2)).toBeNull();
  });

  it('says a file is full once it reaches the roll size, not before', () => {
    const l = line(T0);
    const r = roller({ rollBytes: 3 * (l.length + 1) });
    expect(r.add(0, 0, l, 0)).toBe(false);
    expect(r.add(0, 1, l, 0)).toBe(false);
    expect(r.add(0, 2, l, 0)).toBe(true);
  });

  it('rolls a partition when the watermark passes the end of an hour it holds', () => {
    const r = roller({ lateness: 60_000 });
    r.add(0, 0, line(T0 + H - 1_000), 0);
    r.add(1, 0, line(T0 + H + 30_000), 0);
    expect(r.due(0)).toEqual([]); // watermark 22:59:30: hour 22 still open
    r.add(1, 1, line(T0 + H + 60_000), 0);
    expect(r.due(0)).toEqual([0]); // watermark 23:00:00 closes hour 22
  });

  it('rolls a partition once its oldest file was opened a roll interval ago', () => {
    const r = roller({ rollIntervalMs: 1_000 });
    r.add(0, 0, 'garbage', 100);
    r.add(0, 1, line(T0), 900);
    expect(r.due(1_099)).toEqual([]);
    expect(r.due(1_100)).toEqual([0]);
  });
});
