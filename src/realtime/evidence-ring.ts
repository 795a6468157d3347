/**
 * The evidence of the last few scores together: Σz / √n over the last n = `capacity` z-scores
 * (over all of them while there are fewer). If the scores are independent standard normals, so
 * is the result, so it is compared with the same limits as a single score, yet a change that
 * lasts adds up: three steps at z = 3.5 make 6.1. A flash crowd at night, when a minute holds a
 * dozen requests, moves each minute's score by 4–5 only: one such minute does not pass the
 * limit, three of those minutes together do.
 */
export class EvidenceRing {
  private readonly values: Float64Array;
  private count = 0;
  private next = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  /** Add a score and return the evidence of the last `capacity` scores, this one included. */
  push(z: number): number {
    this.values[this.next] = z;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
    let sum = 0;
    for (let i = 0; i < this.count; i++) sum += this.values[i];
    return sum / Math.sqrt(this.count);
  }

  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}
