/**
 * The benchmark's work items and columns, shared by the runner and every side (glubina, tfjs and,
 * mirrored by hand in scripts/bench/torch_bench.py, PyTorch). Each side times an iteration and
 * reports seconds; the runner turns them into the item's unit here, in one place.
 * @module
 */

/** The unit a row is shown in. */
export type Unit = 'GFLOP/s' | 'ms' | 'samples/s' | 'GB/s' | 'MiB';

/** One measured piece of work. */
export interface Item {
  /** Stable id used on the wire between the runner and the sides, e.g. `gemm.1024`. */
  readonly id: string;
  /** Heading of the group of rows it belongs to. */
  readonly section: string;
  /** Row label. */
  readonly label: string;
  readonly unit: Unit;
  /**
   * Work of one iteration in the unit's numerator: FLOP for GFLOP/s, samples for samples/s, bytes
   * moved for GB/s. Absent for ms (time itself) and MiB (reported directly).
   */
  readonly work?: number;
  /** FLOP of one iteration of an ms item: adds a GFLOP/s row computed from the same times. */
  readonly flop?: number;
  /** Part of the `--quick` subset. */
  readonly quick: boolean;
  /**
   * Predicts one iteration's time as `factor` × that of an item run before it on the same side (the
   * first of these that ran), so that an item far over the time cap is skipped without paying for
   * its first, untimed call.
   */
  readonly predictFrom?: readonly { readonly item: string; readonly factor: number }[];
}

/** Sizes of the square GEMMs. */
export const GEMM_SIZES = [128, 256, 512, 1024, 2048] as const;
/** The convolution: input [N, C, H, W], C→C channels, 3×3 kernel, padding 1, stride 1. */
export const CONV = { n: 32, c: 64, h: 32, w: 32, k: 3 } as const;
/** Elements of each large elementwise operand. */
export const EW_SIZE = 10_000_000;

/** FLOP of the convolution's forward pass: 2·N·Cout·H·W·Cin·k² (multiply and add). */
export const CONV_FLOP = 2 * CONV.n * CONV.c * CONV.h * CONV.w * CONV.c * CONV.k * CONV.k;

const gemm = GEMM_SIZES.map(
  (n, i): Item => ({
    id: `gemm.${n}`, section: 'GEMM float32', label: `n = ${n}`, unit: 'GFLOP/s', work: 2 * n ** 3, quick: n === 256 || n === 1024,
    // The work grows as n³; the nearest smaller size predicts best.
    predictFrom: GEMM_SIZES.slice(0, i).reverse().map((m) => ({ item: `gemm.${m}`, factor: (n / m) ** 3 })),
  }),
);

/** Every item, in the order the sides run them (cheap first, so a timeout loses the least). */
export const ITEMS: readonly Item[] = [
  ...gemm,
  // Forward + backward = forward + input gradient + weight gradient: three convolutions' FLOP.
  { id: 'conv.fwd', section: 'Conv 3×3 64→64, input 32×64×32×32', label: 'forward', unit: 'ms', flop: CONV_FLOP, quick: true },
  { id: 'conv.fwdbwd', section: 'Conv 3×3 64→64, input 32×64×32×32', label: 'forward + backward', unit: 'ms', flop: 3 * CONV_FLOP, quick: true, predictFrom: [{ item: 'conv.fwd', factor: 3 }] },
  { id: 'lenet.train64', section: 'LeNet-5 (MNIST 28×28)', label: 'training, batch 64', unit: 'samples/s', work: 64, quick: true },
  { id: 'lenet.infer1', section: 'LeNet-5 (MNIST 28×28)', label: 'inference latency, batch 1', unit: 'ms', quick: true },
  { id: 'lenet.infer256', section: 'LeNet-5 (MNIST 28×28)', label: 'inference, batch 256', unit: 'samples/s', work: 256, quick: true },
  { id: 'mlp.train64', section: 'MLP 784-1000-10', label: 'training, batch 64', unit: 'samples/s', work: 64, quick: true },
  // Bytes moved: both inputs read and the output written (add), one read and one write (relu, copies).
  { id: 'ew.add', section: 'Elementwise, 1e7 float32', label: 'add a + b', unit: 'GB/s', work: 3 * 4 * EW_SIZE, quick: true },
  { id: 'ew.relu', section: 'Elementwise, 1e7 float32', label: 'relu', unit: 'GB/s', work: 2 * 4 * EW_SIZE, quick: true },
  { id: 'ew.clone', section: 'Elementwise, 1e7 float32', label: 'clone (the framework\'s copy)', unit: 'GB/s', work: 2 * 4 * EW_SIZE, quick: false },
  { id: 'ew.copyref', section: 'Elementwise, 1e7 float32', label: 'reference: Float32Array.set', unit: 'GB/s', work: 2 * 4 * EW_SIZE, quick: true },
  { id: 'rss.lenet', section: 'Memory', label: 'peak RSS, LeNet-5 training process', unit: 'MiB', quick: true },
];

/** The item with this id (throws naming it when there is none). */
export function itemById(id: string): Item {
  const item = ITEMS.find((i) => i.id === id);
  if (!item) throw new Error(`bench: unknown item '${id}' (known: ${ITEMS.map((i) => i.id).join(', ')})`);
  return item;
}

/** Whether a bigger number is better in this unit. */
export function higherIsBetter(unit: Unit): boolean {
  return unit !== 'ms' && unit !== 'MiB';
}

/**
 * The value of `item` in its unit from the median seconds of one iteration:
 * GFLOP/s = work / t / 10⁹, samples/s = work / t, GB/s = bytes / t / 10⁹, ms = 1000·t.
 */
export function valueOf(item: Item, seconds: number): number {
  switch (item.unit) {
    case 'GFLOP/s':
    case 'GB/s':
      return (item.work ?? 0) / seconds / 1e9;
    case 'samples/s':
      return (item.work ?? 0) / seconds;
    case 'ms':
      return seconds * 1e3;
    case 'MiB':
      throw new Error(`bench: item '${item.id}' is reported directly, not timed`);
  }
}

/** The columns of the table: one framework configuration each. */
export const COLUMNS = [
  { id: 'g1', label: 'glubina wasm 1t' },
  { id: 'g2', label: 'glubina wasm 2t' },
  { id: 'gjs', label: 'glubina js' },
  { id: 'tw', label: 'tfjs wasm' },
  { id: 'tc', label: 'tfjs cpu' },
  { id: 'p1', label: 'PyTorch 1t' },
  { id: 'p2', label: 'PyTorch 2t' },
] as const;

/** Id of a column. */
export type ColumnId = (typeof COLUMNS)[number]['id'];
