/**
 * The mark in the report's PNGs: a valid text chunk after the header, so the file stays a PNG
 * decoders read (a chunk they do not know they skip), and found again only in files that carry it.
 */
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isMarkedPng, markPng } from '../../src/report/png-mark';
import { svgToPng } from '../../src/viz/render';

const svg =
  '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><rect width="4" height="3" fill="#2f6db5"/></svg>';

/** Each chunk's type and whether its CRC is right. */
function chunks(png: Buffer): [string, boolean][] {
  const out: [string, boolean][] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const body = png.subarray(at + 4, at + 8 + length);
    out.push([
      body.subarray(0, 4).toString('latin1'),
      crc32(body) === png.readUInt32BE(at + 8 + length),
    ]);
    at += 12 + length;
  }
  return out;
}

describe('markPng', () => {
  const plain = svgToPng(svg);
  const marked = markPng(plain);

  it('puts one tEXt chunk "Software: loglab report" right after IHDR, every CRC right', () => {
    expect(chunks(marked).map(([type]) => type)).toEqual([
      'IHDR',
      'tEXt',
      ...chunks(plain)
        .slice(1)
        .map(([t]) => t),
    ]);
    expect(chunks(marked).every(([, ok]) => ok)).toBe(true);
    expect(marked.length - plain.length).toBe(12 + 'Software\0loglab report'.length);
    expect(marked.subarray(41, 41 + 22).toString('latin1')).toBe('Software\0loglab report');
  });

  it('is found in marked PNGs only', () => {
    expect(isMarkedPng(marked)).toBe(true);
    expect(isMarkedPng(plain)).toBe(false);
    expect(isMarkedPng(Buffer.from('my own slide'))).toBe(false);
    expect(isMarkedPng(Buffer.alloc(0))).toBe(false);
  });
});
