/**
 * MT19937 as numpy's legacy `RandomState` runs it, so a seed typed into the lab gives the same
 * shuffles as `np.random.seed(seed)` / `RandomState(seed)` in Python (docs/mlflow-formats.md §6.3).
 *
 * Only what the lab needs is here: integer seeding (`init_genrand`), raw 32-bit draws, numpy's
 * masked-rejection bounded draw and `permutation`. The algorithm is Matsumoto & Nishimura's
 * (1998); the bounded draw and the shuffle order are numpy's legacy ones.
 */

const N = 624;
const M = 397;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const MATRIX_A = 0x9908b0df;

export class MT19937 {
  private readonly mt = new Uint32Array(N);
  private index = N;

  /** `seed` must be an integer in [0, 2³²), as numpy's `np.random.seed(int)` requires. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer between 0 and 2**32 - 1, got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // Math.imul keeps the product exact mod 2^32 (a float multiply would round it).
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  /** Regenerates the whole state block (the "twist"). */
  private twist(): void {
    const mt = this.mt;
    for (let k = 0; k < N; k++) {
      const y = (mt[k] & UPPER) | (mt[(k + 1) % N] & LOWER);
      mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }

  /** The next tempered 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * Uniform integer in [0, max], drawn as numpy's legacy `random_interval` does: mask `max`'s
   * bit length and reject draws above `max`. Only the 32-bit branch exists (max < 2³²).
   */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }

  /** numpy's legacy `RandomState.permutation(n)`: Fisher–Yates over 0..n−1 from the end. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new RangeError(`bad permutation length ${n}`);
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    for (let i = n - 1; i >= 1; i--) {
      const j = this.interval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
