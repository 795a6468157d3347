/**
 * The seeded random source every generator part receives. sfc32 (Chris Doty-Humphrey's Small
 * Fast Chaotic PRNG): 128 bits of state, passes PractRand far beyond what we draw, and costs a few
 * integer operations per number. Never Math.random: the same seed must give the same log.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Exponential with mean 1 (ziggurat: a table lookup and a compare on 99% of draws). */
  standardExponential(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  /** Uniform in [min, max). */
  range(min: number, max: number): number;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A new independent stream derived from this one's seed and a label. */
  fork(label: number): Random;
}

/** splitmix32: spreads a small or similar seed over 32 well-mixed bits. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Ziggurat tables for the exponential distribution (Marsaglia & Tsang, "The Ziggurat Method for
 * Generating Random Variables", 2000): 256 layers of equal area under e^-x.
 */
const ZIG_R = 7.697117470131487;
const ZIG_K = new Uint32Array(256);
const ZIG_W = new Float64Array(256);
const ZIG_F = new Float64Array(256);
{
  const m = 4294967296;
  const v = 3.949659822581572e-3;
  let de = ZIG_R;
  let te = de;
  const q = v / Math.exp(-de);
  ZIG_K[0] = Math.floor((de / q) * m);
  ZIG_K[1] = 0;
  ZIG_W[0] = q / m;
  ZIG_W[255] = de / m;
  ZIG_F[0] = 1;
  ZIG_F[255] = Math.exp(-de);
  for (let i = 254; i >= 1; i--) {
    de = -Math.log(v / de + Math.exp(-de));
    ZIG_K[i + 1] = Math.floor((de / te) * m);
    te = de;
    ZIG_F[i] = Math.exp(-de);
    ZIG_W[i] = de / m;
  }
}

/** A Random for a seed. Any finite number is accepted; integers are the useful ones. */
export function createRandom(seed: number): Random {
  const s0 = Math.floor(seed) | 0;
  const hi = Math.floor(seed / 4294967296) | 0;
  let a = splitmix32(s0);
  let b = splitmix32(a ^ hi);
  let c = splitmix32(b + 0x632be5ab);
  let d = splitmix32(c ^ 0x1b873593);

  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  const next = (): number => uint32() / 4294967296;
  // The first outputs of a fresh state are less mixed; throw a few away.
  for (let i = 0; i < 12; i++) next();

  const standardExponential = (): number => {
    let jz = uint32();
    let iz = jz & 255;
    if (jz < ZIG_K[iz]) return jz * ZIG_W[iz];
    for (;;) {
      if (iz === 0) return ZIG_R - Math.log(1 - next());
      const x = jz * ZIG_W[iz];
      if (ZIG_F[iz] + next() * (ZIG_F[iz - 1] - ZIG_F[iz]) < Math.exp(-x)) return x;
      jz = uint32();
      iz = jz & 255;
      if (jz < ZIG_K[iz]) return jz * ZIG_W[iz];
    }
  };

  return {
    next,
    uint32,
    standardExponential,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    range: (min, max) => min + next() * (max - min),
    exponential: (mean) => mean * standardExponential(),
    pick: (items) => items[Math.floor(next() * items.length)],
    fork: (label) => createRandom(((next() * 4294967296) ^ Math.imul(label, 0x9e3779b1)) >>> 0),
  };
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}
