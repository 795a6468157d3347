/** Keys of the keyed tables: the copy kept of a key, and finding a row by an equal key. */
import { describe, expect, it } from 'vitest';
import { detached, KeyedRings } from '../../src/realtime/keyed-rings';

describe('detached', () => {
  it('copies any text exactly: slices of a line, short, empty and two-byte text', () => {
    const line = '2001:db8:85a3::8a2e:370:7334 - - [12/Mar/2024:00:00:00 +0000] "GET /a HTTP/1.1"';
    const ip = line.slice(0, line.indexOf(' '));
    for (const text of [
      ip,
      line.slice(4, 40),
      '/product/item-1?page=2',
      '',
      '0',
      'é/ü',
      '/search?q=ü€'.repeat(3),
    ]) {
      expect(detached(text)).toBe(text);
    }
  });
});

describe('KeyedRings keys', () => {
  it('finds a row by a key equal to the one that opened it, and opens it again after removal', () => {
    const rings = new KeyedRings(4, 1);
    const line = '203.0.113.200 - - [12/Mar/2024:00:00:00 +0000]';
    const row = rings.rowFor(line.slice(0, 13));
    rings.add(row, 10, 0, 3);
    expect(rings.rowOf('203.0.113.200')).toBe(row);
    expect(rings.keys[row]).toBe('203.0.113.200');
    rings.remove(row);
    expect(rings.rowOf('203.0.113.200')).toBe(-1);
    const again = rings.rowFor('203.0.113.200');
    expect(rings.get(again, 0, 10)).toBe(0);
    expect(rings.size()).toBe(1);
  });
});
