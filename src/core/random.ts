/**
 * The random number generator behind every random op: xoshiro128** seeded by splitmix32.
 * One global generator, reproducible bit for bit after {@link manualSeed}.
 * @module
 */

/** A seedable generator of uniform and normal numbers. */
export class Generator {
  private s = new Uint32Array(4);

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Resets the state from an integer seed. */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new Error(`manualSeed: seed must be a finite number, got ${seed}`);
    // splitmix32 spreads any seed (including 0) over the 128-bit state.
    let x = (Math.floor(seed) ^ Math.floor(seed / 4294967296)) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    return this;
  }

  /** The full state, to save in a checkpoint. */
  getState(): number[] {
    return Array.from(this.s);
  }

  /** Restores a state returned by {@link Generator.getState}. */
  setState(state: readonly number[]): void {
    if (state.length !== 4 || state.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new Error(`Generator.setState: expected 4 unsigned 32-bit integers, got ${JSON.stringify(state)}`);
    }
    this.s.set(state);
  }

  /** Next 32 random bits. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal by Box–Muller (uses two uniforms per draw, so the stream stays simple to resume). */
  normal(): number {
    const u1 = 1 - this.random(); // in (0, 1]: log stays finite
    const u2 = this.random();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The generator used by `rand`, `randn`, `dropout`, data shuffling and initialisers. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator, like `torch.manual_seed`: the same seed gives the same run, bit for bit. */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}

/** The default generator's state (for checkpoints). */
export function getRngState(): number[] {
  return defaultGenerator.getState();
}

/** Restores the default generator's state. */
export function setRngState(state: readonly number[]): void {
  defaultGenerator.setState(state);
}
