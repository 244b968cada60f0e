/**
 * A small seeded PRNG for the bootstrap: xoshiro128** (Blackman & Vigna, 2018) seeded through
 * splitmix32. Reproducible across runs and platforms (32-bit integer arithmetic only), fast in a
 * tight loop, and stateless between gates: every bootstrap creates its own from its seed.
 */

/** splitmix32: spreads a small seed over 32 bits so seeds 1, 2, 3 give unrelated streams. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class SeededRandom {
  // Int32Array state: every store stays a 32-bit integer, so V8 never boxes the state in heap numbers.
  private readonly s = new Int32Array(4);

  constructor(seed: number) {
    const state = { s: seed | 0 };
    for (let i = 0; i < 4; i++) this.s[i] = splitmix32(state) | 0;
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[3] = 1;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]!;
    const s3 = s[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[0] = s0 ^ n3;
    s[1] = s1 ^ n2;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11);
    return result;
  }

  /**
   * A uniform integer in [0, n) by multiply-shift (Lemire). For n ≤ 2^20 the largest bias of any
   * index is n / 2^32 ≤ 2.4e-4 of its probability, far below a bootstrap's Monte Carlo error.
   */
  nextIndex(n: number): number {
    return Math.floor(this.nextUint32() * (n / 4294967296));
  }

  /** A uniform double in [0, 1) with 32 bits of randomness. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
