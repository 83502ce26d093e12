/**
 * The one source of randomness of the training data pipeline: a small, seeded, serialisable PRNG.
 *
 * Generator: **sfc32** (Chris Doty-Humphrey's "Small Fast Counting" generator, from PractRand), 128 bits of
 * state, passes PractRand to at least 2^40 bytes, period ≥ 2^32 and ~2^127 on average. It is seeded by running
 * **splitmix32** over the seed (so nearby seeds 1, 2, 3 give unrelated streams) and discarding the first 12
 * outputs. Normal deviates come from the Box–Muller transform; the second value of each pair is cached, and
 * that cache is part of the state.
 *
 * Everything random in `train/data` takes a seed or one of these generators, so runs are reproducible, and
 * {@link SeededRandom.getState} / {@link SeededRandom.setState} let a checkpoint save and restore the stream.
 */

/** The full state of a {@link SeededRandom}: plain JSON (four uint32 words and the cached normal deviate). */
export interface RandomState {
  /** sfc32 words a, b, c, d (uint32). */
  words: [number, number, number, number];
  /** Second Box–Muller deviate waiting to be returned by `normal()`, or null. */
  spare: number | null;
}

/** A seeded pseudo-random generator; see the module comment for the algorithm. */
export interface SeededRandom {
  /** Uniform float in `[0, 1)` with 32 random bits. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  uint32(): number;
  /**
   * Uniform integer in `[0, n)`.
   * @throws RangeError when `n` is not a positive integer ≤ 2^32.
   */
  int(n: number): number;
  /** Uniform float in `[lo, hi)`. */
  uniform(lo: number, hi: number): number;
  /** Normal deviate (Box–Muller), mean `mean`, standard deviation `sd`. */
  normal(mean?: number, sd?: number): number;
  /** Shuffle `items` in place (Fisher–Yates) and return it. */
  shuffle<T>(items: T[]): T[];
  /** A copy of the state, to save in a checkpoint. */
  getState(): RandomState;
  /**
   * Continue from a saved state: the following draws equal those the saved generator would have made.
   * @throws RangeError when `state` is malformed.
   */
  setState(state: RandomState): void;
}

/** splitmix32 step (the seeding function recommended for sfc32), returning the new state and an output. */
function splitmix32(x: number): [number, number] {
  const s = (x + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [s, (z ^ (z >>> 15)) >>> 0];
}

/**
 * Make a seeded generator.
 *
 * @param seed - any finite number; integers are used as they are (the high 32 bits of safe integers too), other
 *   numbers through their float64 bits. The same seed always gives the same stream.
 * @throws RangeError when `seed` is not finite.
 * @example
 * const rng = seededRandom(42);
 * const saved = rng.getState();
 * const a = rng.next();
 * rng.setState(saved);
 * rng.next() === a; // true
 */
export function seededRandom(seed: number): SeededRandom {
  if (!Number.isFinite(seed)) throw new RangeError(`seededRandom: seed is ${seed}, expected a finite number`);
  const f = new Float64Array([seed]);
  const bits = new Uint32Array(f.buffer);
  // Mix both halves of the float64 so that every safe integer, and every fraction, gives its own stream.
  let x = bits[0] ^ Math.imul(bits[1], 0x85ebca6b);
  let a: number, b: number, c: number, d: number;
  [x, a] = splitmix32(x);
  [x, b] = splitmix32(x);
  [x, c] = splitmix32(x ^ bits[1]);
  [, d] = splitmix32(x);
  let spare: number | null = null;

  const uint32 = (): number => {
    // sfc32, as published in PractRand; the counter d guarantees a period of at least 2^32.
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) uint32();

  const next = (): number => uint32() / 4294967296;
  const rng: SeededRandom = {
    next,
    uint32,
    int(n) {
      if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
        throw new RangeError(`seededRandom.int: n is ${n}, expected an integer in 1..2^32`);
      }
      return Math.floor(next() * n);
    },
    uniform(lo, hi) {
      return lo + (hi - lo) * next();
    },
    normal(mean = 0, sd = 1) {
      if (spare !== null) {
        const z = spare;
        spare = null;
        return mean + sd * z;
      }
      // 1 − u lies in (0, 1], so the logarithm is finite.
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = items[i];
        items[i] = items[j];
        items[j] = t;
      }
      return items;
    },
    getState() {
      return { words: [a >>> 0, b >>> 0, c >>> 0, d >>> 0], spare };
    },
    setState(state) {
      const w = state?.words;
      if (!Array.isArray(w) || w.length !== 4 || !w.every((x) => Number.isInteger(x) && x >= 0 && x < 4294967296)) {
        throw new RangeError(`seededRandom.setState: words is ${JSON.stringify(w)}, expected four uint32 integers`);
      }
      if (state.spare !== null && !Number.isFinite(state.spare)) {
        throw new RangeError(`seededRandom.setState: spare is ${String(state.spare)}, expected a finite number or null`);
      }
      [a, b, c, d] = w.map((x) => x | 0) as [number, number, number, number];
      spare = state.spare;
    },
  };
  return rng;
}
