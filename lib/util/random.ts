/**
 * A small, fast, seeded pseudo-random generator (SplitMix32-style mixing over a 32-bit state) so that
 * the same seed reproduces the same shuffles, seeds and hash functions on every machine.
 * @module
 */

/** A seeded random number generator. */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal variate (Box–Muller). */
  normal(): number;
}

/** Creates a deterministic generator from an integer seed (mulberry32). */
export function createRandom(seed: number): Random {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  let spareNormal: number | undefined;
  function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return {
    next,
    int(n: number): number {
      return Math.floor(next() * n);
    },
    normal(): number {
      if (spareNormal !== undefined) {
        const value = spareNormal;
        spareNormal = undefined;
        return value;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spareNormal = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Returns the permutation 0..n-1 shuffled by Fisher–Yates with the given seed. */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const random = createRandom(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}
