/**
 * A mark inside the PNGs `loglab report --png DIR` writes, so that a later run knows which files
 * of DIR are its own: those it may write over (a report drawn again), and any other file of the
 * same name (a slide someone made by hand) that it must leave alone.
 *
 * The mark is a standard PNG text chunk (`tEXt`, keyword `Software`), put right after the
 * header chunk; image viewers show it as the file's software and ignore it otherwise.
 */
import { crc32 } from 'node:zlib';

const SIGNATURE_BYTES = 8;
/** Length, type, 13 bytes of IHDR data, CRC. */
const IHDR_END = SIGNATURE_BYTES + 4 + 4 + 13 + 4;
const TEXT = Buffer.from('Software\0loglab report', 'latin1');

function textChunk(): Buffer {
  const type = Buffer.from('tEXt', 'latin1');
  const chunk = Buffer.alloc(4 + 4 + TEXT.length + 4);
  chunk.writeUInt32BE(TEXT.length, 0);
  type.copy(chunk, 4);
  TEXT.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(Buffer.concat([type, TEXT])), 8 + TEXT.length);
  return chunk;
}

const MARK = textChunk();

/** The PNG with loglab's mark after its header chunk. */
export function markPng(png: Buffer): Buffer {
  return Buffer.concat([png.subarray(0, IHDR_END), MARK, png.subarray(IHDR_END)]);
}

/** Whether these bytes are a PNG that `markPng` marked. */
export function isMarkedPng(bytes: Buffer): boolean {
  return (
    bytes.length >= IHDR_END + MARK.length &&
    bytes.subarray(IHDR_END, IHDR_END + MARK.length).equals(MARK)
  );
}
