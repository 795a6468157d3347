/**
 * Text that the combined-line writer copies as bytes: referrers, request parts, user agents.
 * Generated text is printable ASCII by construction, one byte per character, and its fields
 * hold no quote or backslash, so no escaping is ever needed; anything else is refused when the
 * shop is built rather than written wrongly later.
 */
export interface Ref {
  readonly text: string;
  readonly bytes: Uint8Array;
}

/** The longest part a generated line is built from (a request, a user agent, …). */
export const MAX_PART = 1000;

// Encoded text is carved out of shared slabs: a shop has thousands of parts, and a typed array
// of its own for each (an allocation outside the heap) made building one take tens of ms.
const SLAB_BYTES = 16_384;
const ENCODER = new TextEncoder();
let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;

/** Printable ASCII → bytes. */
export function encodeAscii(text: string): Uint8Array {
  const n = text.length;
  if (n > MAX_PART) throw new Error(`generated text is longer than ${MAX_PART} characters`);
  if (slabUsed + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab.buffer, slabUsed, n);
  // encodeInto copies in native code; a character loop over a freshly concatenated string is slow.
  const { written } = ENCODER.encodeInto(text, out);
  for (let i = 0; i < n; i++) {
    if (i >= written || out[i] > 0x7e || out[i] < 0x20) {
      throw new Error(`generated text must be printable ASCII: ${JSON.stringify(text)}`);
    }
  }
  slabUsed += n;
  return out;
}

/** A field value that formatters would write unchanged (nothing to escape). */
export function plainField(text: string): string {
  if (text.includes('"') || text.includes('\\')) {
    throw new Error(
      `generated field must not contain quotes or backslashes: ${JSON.stringify(text)}`,
    );
  }
  return text;
}

export function createRef(text: string): Ref {
  return { text, bytes: encodeAscii(plainField(text)) };
}
