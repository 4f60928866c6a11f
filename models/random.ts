import prand from 'pure-rand';

/** A seeded source of uniform numbers in [0, 1): same seed, same sequence, on every machine. */
export interface SeededRandom {
  next(): number;
}

// 2^31 - 1 gives 31 bits of resolution, plenty for test inputs and arrival times.
const RANGE = 2 ** 31 - 1;

/** Creates a reproducible uniform generator (xoroshiro128+) from an integer seed. */
export function createRandom(seed: number): SeededRandom {
  const generator = prand.xoroshiro128plus(seed | 0);
  return { next: () => prand.unsafeUniformIntDistribution(0, RANGE - 1, generator) / RANGE };
}

/** Fills an array with seeded values in [low, high). */
export function fillUniform(target: Float32Array, random: SeededRandom, low = -1, high = 1): Float32Array {
  for (let i = 0; i < target.length; i++) target[i] = low + (high - low) * random.next();
  return target;
}
