/**
 * receptiveField against hand-computed values: stacks of 3×3 convs, strides and pooling, dilated
 * convs (Yu & Koltun's 3 → 7 → 15), residual blocks (max over paths, union when off-centre),
 * LeNet-5, transposed convs, adaptive pooling, padding layers, non-square inputs, and errors.
 * Every expected number below is worked out in the comment beside it with
 * j_out = j·s, r_out = r + (k_eff − 1)·j, start_out = start + ((k_eff − 1)/2 − p)·j.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analysis, nn, zeros, type Tensor } from '../src/index.js';

const { receptiveField, formatReceptiveField } = analysis;
type RFNode = analysis.RFNode;

/** One column of the rows, first spatial dim. */
function col(r: analysis.ReceptiveFieldResult, key: 'receptiveField' | 'jump' | 'start' | 'outputSize'): number[] {
  return r.layers.map((l) => l[key][0]);
}

describe('stacks of convolutions', () => {
  test('3×3 convs with padding 1: rf 3, 5, 7, 9, 11; jump 1; centred at 0', () => {
    const net = new nn.Sequential(...Array.from({ length: 5 }, (_, i) => new nn.Conv2d(i === 0 ? 1 : 4, 4, 3, { padding: 1 })));
    const r = receptiveField(net, [1, 16, 16]);
    assert.deepEqual(col(r, 'receptiveField'), [3, 5, 7, 9, 11]);
    assert.deepEqual(col(r, 'jump'), [1, 1, 1, 1, 1]);
    assert.deepEqual(col(r, 'start'), [0, 0, 0, 0, 0]);
    assert.deepEqual(col(r, 'outputSize'), [16, 16, 16, 16, 16]);
    assert.deepEqual(r.layers.map((l) => l.name), ['0', '1', '2', '3', '4']);
    assert.equal(r.seesWholeImage, false); // 11 < 16
  });

  test('without padding the first output moves inwards: start 1, 2, 3; sizes 14, 12, 10', () => {
    const net = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.Conv2d(2, 2, 3), new nn.ReLU(), new nn.Conv2d(2, 2, 3));
    const r = receptiveField(net, [1, 16, 16]);
    assert.deepEqual(col(r, 'receptiveField'), [3, 3, 5, 5, 7]); // ReLU rows repeat the previous state
    assert.deepEqual(col(r, 'start'), [1, 1, 2, 2, 3]);
    assert.deepEqual(col(r, 'outputSize'), [14, 14, 12, 12, 10]);
    assert.deepEqual(r.layers.map((l) => l.type), ['Conv2d', 'ReLU', 'Conv2d', 'ReLU', 'Conv2d']);
  });

  test('strides and pooling multiply the jump', () => {
    const net = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }), //            n 32, r 3,            j 1, start 0
      new nn.Conv2d(4, 4, 3, { stride: 2, padding: 1 }), // n 16, r 3 + 2·1 = 5,  j 2, start 0 + (1 − 1)·1 = 0
      new nn.MaxPool2d(2), //                                n 8,  r 5 + 1·2 = 7,  j 4, start 0 + (0.5 − 0)·2 = 1
      new nn.Conv2d(4, 4, 3, { padding: 1 }), //            n 8,  r 7 + 2·4 = 15, j 4, start 1
      new nn.Conv2d(4, 4, 3, { stride: 2 }), //             n ⌊(8 − 3)/2⌋ + 1 = 3, r 15 + 2·4 = 23, j 8, start 1 + 1·4 = 5
      new nn.AvgPool2d(3, { stride: 1, padding: 1 }), //    n 3,  r 23 + 2·8 = 39, j 8, start 5 + 0·8 = 5
    );
    const r = receptiveField(net, [1, 32, 32]);
    assert.deepEqual(col(r, 'outputSize'), [32, 16, 8, 8, 3, 3]);
    assert.deepEqual(col(r, 'receptiveField'), [3, 5, 7, 15, 23, 39]);
    assert.deepEqual(col(r, 'jump'), [1, 2, 4, 4, 8, 8]);
    assert.deepEqual(col(r, 'start'), [0, 0, 1, 1, 5, 5]);
    assert.equal(r.seesWholeImage, true); // 39 ≥ 32
    assert.deepEqual(r.layers.map((l) => l.coversInput), [false, false, false, false, false, true]);
  });

  test('pooling: dilation, padding and ceilMode change the size as PyTorch does', () => {
    const net = new nn.Sequential(
      new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), // n ⌈(10 + 2 − 3)/2⌉ + 1 = 6, r 3, j 2, start 0 + (1 − 1)·1 = 0
      new nn.MaxPool2d(2, { stride: 1, dilation: 2 }), //                 k_eff 3: n 6 − 2 = 4, r 3 + 2·2 = 7, j 2, start 0 + 1·2 = 2
      new nn.MaxPool2d(3, { stride: 2, ceilMode: true }), //              n ⌈(4 − 3)/2⌉ + 1 = 2, r 7 + 2·2 = 11, j 4, start 2 + 1·2 = 4
    );
    const r = receptiveField(net, [1, 10, 10]);
    assert.deepEqual(col(r, 'outputSize'), [6, 4, 2]);
    assert.deepEqual(col(r, 'receptiveField'), [3, 7, 11]);
    assert.deepEqual(col(r, 'jump'), [2, 2, 4]);
    assert.deepEqual(col(r, 'start'), [0, 2, 4]);
  });

  test('the analytic output sizes agree with a forward pass', () => {
    const net = new nn.Sequential(
      new nn.Conv2d(1, 2, [3, 5], { stride: [1, 2], padding: [1, 0] }),
      new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
      new nn.Conv2d(2, 2, 2, { padding: 'same', dilation: 2 }),
      new nn.AvgPool2d(2, { ceilMode: true }),
      new nn.ConvTranspose2d(2, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }),
      new nn.ZeroPad2d([1, 0, 2, 3]),
      new nn.AdaptiveMaxPool2d([3, 2]),
    );
    const r = receptiveField(net, [1, 13, 22]);
    let x: Tensor = zeros([1, 1, 13, 22]);
    [...net].forEach((m, i) => {
      x = m.call(x);
      assert.deepEqual(r.layers[i].outputSize, x.shape.slice(2), `layer ${i}`);
    });
  });
});

describe('dilated convolutions (Yu & Koltun 2016)', () => {
  test('3×3 with dilation 1, 2, 4 (padding = dilation): 3×3, 7×7, 15×15 — then 31×31 with dilation 8', () => {
    const net = new nn.Sequential(
      new nn.Conv2d(1, 2, 3, { dilation: 1, padding: 1 }), // k_eff 3: r 3
      new nn.Conv2d(2, 2, 3, { dilation: 2, padding: 2 }), // k_eff 5: r 3 + 4 = 7
      new nn.Conv2d(2, 2, 3, { dilation: 4, padding: 4 }), // k_eff 9: r 7 + 8 = 15
      new nn.Conv2d(2, 2, 3, { dilation: 8, padding: 8 }), // k_eff 17: r 15 + 16 = 31
    );
    const r = receptiveField(net, [1, 32, 32]);
    assert.deepEqual(r.layers.map((l) => l.receptiveField), [[3, 3], [7, 7], [15, 15], [31, 31]]);
    assert.deepEqual(col(r, 'outputSize'), [32, 32, 32, 32]); // resolution kept
    assert.deepEqual(col(r, 'start'), [0, 0, 0, 0]);
    assert.equal(r.seesWholeImage, false); // 31 < 32
  });

  test("'same' padding with an even kernel pads less before: the start moves half a pixel", () => {
    // k 2, 'same': padding 0 before, 1 after → start 0 + (0.5 − 0)·1 = 0.5, r 2, size kept.
    const r = receptiveField(new nn.Conv1d(1, 1, 2, { padding: 'same' }), [1, 9]);
    assert.deepEqual(r.layers[0], { name: '(root)', type: 'Conv1d', outputSize: [9], receptiveField: [2], jump: [1], start: [0.5], coversInput: false });
  });
});

/** ResNet's basic block: two 3×3 convs, and a projection shortcut when the shape changes. */
class BasicBlock extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  relu = new nn.ReLU();
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  shortcut: nn.Sequential | null;

  constructor(inC: number, outC: number, stride = 1) {
    super();
    this.conv1 = new nn.Conv2d(inC, outC, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(outC);
    this.conv2 = new nn.Conv2d(outC, outC, 3, { padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(outC);
    this.shortcut = stride !== 1 || inC !== outC ? new nn.Sequential(new nn.Conv2d(inC, outC, 1, { stride, bias: false }), new nn.BatchNorm2d(outC)) : null;
    if (this.shortcut === null) this.registerModule('shortcut', null);
  }

  override forward(x: Tensor): Tensor {
    const main = this.bn2.call(this.conv2.call(this.relu.call(this.bn1.call(this.conv1.call(x)))));
    return main.add(this.shortcut ? this.shortcut.call(x) : x).relu();
  }

  /** The two paths of the residual addition; [] is the identity shortcut. */
  receptiveFieldGraph(): RFNode {
    return [{ parallel: [[this.conv1, this.bn1, this.relu, this.conv2, this.bn2], this.shortcut ?? []] }, this.relu];
  }
}

describe('residual and parallel branches', () => {
  test('residual blocks take the maximum over paths', () => {
    const net = new nn.Sequential(
      new nn.Conv2d(3, 4, 3, { padding: 1 }), // stem: n 8, r 3, j 1
      new BasicBlock(4, 8, 2), //  main: conv1 r 3 + 2 = 5 (j 2), conv2 r 5 + 2·2 = 9; shortcut 1×1/2: r 3 → max 9
      new BasicBlock(8, 8), //     main: r 9 + 4 + 4 = 17; identity: r 9 → max 17
    );
    const r = receptiveField(net, [3, 8, 8]);
    const byName = new Map(r.layers.map((l) => [l.name, l]));
    assert.deepEqual(byName.get('1.conv2')!.receptiveField, [9, 9]);
    assert.deepEqual(byName.get('1.shortcut.0')!.receptiveField, [3, 3]);
    assert.deepEqual(byName.get('1')!.receptiveField, [9, 9]);
    assert.equal(byName.get('1')!.type, 'BasicBlock (merge of 2 paths)');
    assert.deepEqual(byName.get('1')!.jump, [2, 2]);
    assert.deepEqual(byName.get('1')!.outputSize, [4, 4]);
    assert.deepEqual(byName.get('2.conv2')!.receptiveField, [17, 17]);
    assert.deepEqual(byName.get('2')!.receptiveField, [17, 17]);
    assert.deepEqual(r.receptiveField, [17, 17]);
    assert.equal(r.seesWholeImage, true);
    // Rows in execution order: main path, shortcut, merge, then the final ReLU.
    assert.deepEqual(r.layers.map((l) => l.name).slice(1, 10), ['1.conv1', '1.bn1', '1.relu', '1.conv2', '1.bn2', '1.shortcut.0', '1.shortcut.1', '1', '1.relu']);
    // The block really computes what the graph says.
    assert.deepEqual([...net.call(zeros([2, 3, 8, 8])).shape], [2, 8, 4, 4]);
  });

  test('off-centre paths merge by the union of what they cover', () => {
    // Path A: pad 2 after, then 3×3 valid: r 3, start 1 → covers [0, 2]. Path B: 3×3 'same': covers [−1, 1].
    // Union [−1, 2]: r 4, start 0.5 (the plain maximum would say 3).
    const graph: RFNode = { parallel: [[new nn.ZeroPad2d([0, 2, 0, 2]), new nn.Conv2d(1, 1, 3)], [new nn.Conv2d(1, 1, 3, { padding: 1 })]], name: 'two' };
    const m = new Graph(graph);
    const r = receptiveField(m, [1, 6, 6]);
    const last = r.layers[r.layers.length - 1];
    assert.equal(last.name, 'two');
    assert.equal(last.type, 'parallel (merge of 2 paths)');
    assert.deepEqual(last.receptiveField, [4, 4]);
    assert.deepEqual(last.start, [0.5, 0.5]);
  });

  test('an Inception-style module concatenates four branches', () => {
    const branch = (k: number): nn.Conv2d => new nn.Conv2d(4, 2, k, { padding: (k - 1) / 2 });
    const inception: RFNode = {
      parallel: [
        [branch(1)],
        [branch(1), branch(3)],
        [branch(1), branch(5)],
        [new nn.MaxPool2d(3, { stride: 1, padding: 1 }), branch(1)],
      ],
    };
    const r = receptiveField(new Graph(inception), [4, 10, 10]);
    assert.deepEqual(r.receptiveField, [5, 5]); // max of 1, 3, 5 and 3
  });

  test('paths that disagree on size are an error naming both', () => {
    const g = new Graph({ parallel: [[new nn.Conv2d(1, 1, 3)], []] });
    assert.throws(() => receptiveField(g, [1, 8, 8]), /receptiveField: the paths of '\(root\)' disagree: path 0 gives size \[6, 6\] and jump \[1, 1\], path 1 gives size \[8, 8\]/);
  });
});

/** A module whose structure is given as a receptive-field graph (its forward is not needed here). */
class Graph extends nn.Module {
  constructor(private readonly graph: RFNode) {
    super();
  }

  receptiveFieldGraph(): RFNode {
    return this.graph;
  }
}

describe('LeNet-5 on 32×32', () => {
  const lenet = (): nn.Sequential => new nn.Sequential(
    new nn.Conv2d(1, 6, 5), //   C1: n 28, r 5,             j 1, start 2
    new nn.Tanh(),
    new nn.AvgPool2d(2), //      S2: n 14, r 5 + 1 = 6,     j 2, start 2.5
    new nn.Conv2d(6, 16, 5), //  C3: n 10, r 6 + 4·2 = 14,  j 2, start 2.5 + 2·2 = 6.5
    new nn.Tanh(),
    new nn.AvgPool2d(2), //      S4: n 5,  r 14 + 2 = 16,   j 4, start 6.5 + 0.5·2 = 7.5
    new nn.Conv2d(16, 120, 5), // C5: n 1, r 16 + 4·4 = 32, j 4, start 7.5 + 2·4 = 15.5 (the image centre)
    new nn.Tanh(),
    new nn.Flatten(),
    new nn.Linear(120, 84), //   F6: sees everything C5 saw
    new nn.Tanh(),
    new nn.Linear(84, 10),
  );

  test('receptive fields 5, 6, 14, 16, 32: the last layers see the whole image', () => {
    const r = receptiveField(lenet(), [1, 32, 32]);
    const convs = r.layers.filter((l) => l.type === 'Conv2d' || l.type === 'AvgPool2d');
    assert.deepEqual(convs.map((l) => l.receptiveField[0]), [5, 6, 14, 16, 32]);
    assert.deepEqual(convs.map((l) => l.jump[0]), [1, 2, 2, 4, 4]);
    assert.deepEqual(convs.map((l) => l.start[0]), [2, 2.5, 6.5, 7.5, 15.5]);
    assert.deepEqual(convs.map((l) => l.outputSize[0]), [28, 14, 10, 5, 1]);
    assert.deepEqual(r.layers.filter((l) => l.coversInput).map((l) => l.name), ['6', '7', '8', '9', '10', '11']);
    assert.deepEqual(r.receptiveField, [32, 32]);
    assert.equal(r.seesWholeImage, true);
  });

  test('the PyTorch-tutorial variant (flatten after S4, then Linear) gets there through the Linear layer', () => {
    const net = new nn.Sequential(
      new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
    );
    const r = receptiveField(net, [1, 32, 32]);
    const flat = r.layers.find((l) => l.name === '6')!;
    const fc = r.layers.find((l) => l.name === '7')!;
    assert.deepEqual(flat.receptiveField, [16, 16]); // Flatten alone changes nothing
    // Linear covers the 5×5 map: r 16 + (5 − 1)·4 = 32, start 7.5 + 2·4 = 15.5.
    assert.deepEqual(fc, { name: '7', type: 'Linear', outputSize: [1, 1], receptiveField: [32, 32], jump: [20, 20], start: [15.5, 15.5], coversInput: true });
    assert.equal(r.seesWholeImage, true);
  });

  test('formatted as a table with the verdict', () => {
    const text = formatReceptiveField(receptiveField(lenet(), [1, 32, 32]));
    const lines = text.split('\n');
    assert.equal(lines[0], 'Layer (type)   Output  RF     Jump  Start');
    assert.equal(lines[1], '0 (Conv2d)     28×28   5×5    1×1   2×2');
    assert.equal(lines[7], '6 (Conv2d)     1×1     32×32  4×4   15.5×15.5');
    assert.equal(lines[lines.length - 1], 'The last layer sees the whole 32×32 input (receptive field 32×32).');
  });
});

describe('other layers', () => {
  test('non-square kernels, strides and inputs are tracked per dim', () => {
    const r = receptiveField(new nn.Sequential(new nn.Conv2d(1, 1, [3, 5], { stride: [1, 2] }), new nn.MaxPool2d([2, 1])), [1, 20, 30]);
    // Conv: H n 18, r 3, j 1, start 1; W n ⌊(30 − 5)/2⌋ + 1 = 13, r 5, j 2, start 2.
    // Pool [2, 1]: H n 9, r 4, j 2, start 1.5; W n 13, r 5, j 2, start 2.
    assert.deepEqual(r.layers[0].outputSize, [18, 13]);
    assert.deepEqual(r.layers[0].receptiveField, [3, 5]);
    assert.deepEqual(r.layers[0].jump, [1, 2]);
    assert.deepEqual(r.layers[1].outputSize, [9, 13]);
    assert.deepEqual(r.layers[1].receptiveField, [4, 5]);
    assert.deepEqual(r.layers[1].jump, [2, 2]);
    assert.deepEqual(r.layers[1].start, [1.5, 2]);
  });

  test('transposed convolutions: an up-convolution after a down-convolution', () => {
    const r = receptiveField(new nn.Sequential(
      new nn.Conv2d(1, 2, 2, { stride: 2 }), //          n 4, r 2, j 2, start 0.5
      new nn.ConvTranspose2d(2, 1, 2, { stride: 2 }), //   n 8, each output reads one input: r 2, j 1, start 0.5
      new nn.Conv2d(1, 2, 3, { stride: 2, padding: 1 }), // n 4, r 2 + 2·1 = 4, j 2, start 0.5 + 0 = 0.5
      new nn.ConvTranspose2d(2, 1, 3, { stride: 2, padding: 1, outputPadding: 1 }),
      // n 3·2 − 2 + 3 + 1 = 8; odd outputs read two inputs: r 4 + 1·2 = 6; output 0 reads input 0: start 0.5; j 1
    ), [1, 8, 8]);
    assert.deepEqual(col(r, 'outputSize'), [4, 8, 4, 8]);
    assert.deepEqual(col(r, 'receptiveField'), [2, 2, 4, 6]);
    assert.deepEqual(col(r, 'jump'), [2, 1, 2, 1]);
    assert.deepEqual(col(r, 'start'), [0.5, 0.5, 0.5, 0.5]);
  });

  test('global adaptive pooling covers the remaining map; adaptive to 2 uses the largest window', () => {
    const r = receptiveField(new nn.Sequential(new nn.Conv2d(1, 1, 3, { padding: 1, stride: 2 }), new nn.AdaptiveAvgPool2d([1, 2])), [1, 10, 7]);
    // Conv: H n 5, r 3, j 2, start 0; W n 4, r 3, j 2, start 0.
    // Adaptive H 5 → 1: window 5: r 3 + 4·2 = 11, j 10, start 0 + 2·2 = 4.
    // Adaptive W 4 → 2: windows [0, 2), [2, 4): r 3 + 1·2 = 5, j 4, start 0 + 0.5·2 = 1.
    assert.deepEqual(r.layers[1].outputSize, [1, 2]);
    assert.deepEqual(r.layers[1].receptiveField, [11, 5]);
    assert.deepEqual(r.layers[1].jump, [10, 4]);
    assert.deepEqual(r.layers[1].start, [4, 1]);
  });

  test('padding layers shift the start; Upsample and PixelShuffle divide the jump', () => {
    const r = receptiveField(new nn.Sequential(
      new nn.ReflectionPad2d([1, 1, 2, 0]), // H before 2: n 10, start −2; W before 1: n 10, start −1
      new nn.Conv2d(1, 4, 3, { stride: 2 }), // H n 4, r 3, j 2, start −1; W n 4, r 3, j 2, start 0
      new nn.Upsample({ scaleFactor: 2, mode: 'nearest' }), // n 8, r 3, j 1, start unchanged
      new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }), // n 16, r 3 + 1 = 4, j 0.5, start + 0.5·1
      new nn.PixelUnshuffle(2), // window 2 stride 2: n 8, r 4 + 0.5 = 4.5, j 1, start + 0.25
      new nn.PixelShuffle(2), // nearest ×2: n 16, r 4.5, j 0.5
    ), [1, 8, 9]);
    assert.deepEqual(r.layers[0].outputSize, [10, 11]);
    assert.deepEqual(r.layers[0].start, [-2, -1]);
    assert.deepEqual(r.layers[1].start, [-1, 0]);
    assert.deepEqual(r.layers.map((l) => l.receptiveField[0]), [1, 3, 3, 4, 4.5, 4.5]);
    assert.deepEqual(r.layers.map((l) => l.jump[0]), [1, 2, 1, 0.5, 1, 0.5]);
    assert.deepEqual(r.layers.map((l) => l.start[0]), [-2, -1, -1, -0.5, -0.25, -0.25]);
    assert.deepEqual(r.layers.map((l) => l.outputSize[0]), [10, 4, 8, 16, 8, 16]);
  });

  test('Conv1d and pooling on sequences', () => {
    const r = receptiveField(new nn.Sequential(new nn.Conv1d(1, 4, 5, { stride: 2 }), new nn.MaxPool1d(2), new nn.Conv1d(4, 4, 3, { dilation: 2 })), [1, 40]);
    // n 18, r 5, j 2 → n 9, r 7, j 4 → k_eff 5: n 5, r 7 + 4·4 = 23, j 4.
    assert.deepEqual(col(r, 'outputSize'), [18, 9, 5]);
    assert.deepEqual(col(r, 'receptiveField'), [5, 7, 23]);
  });

  test('layers given as plain descriptions (e.g. a functional max pool inside forward)', () => {
    const r = receptiveField(new Graph([new nn.Conv2d(1, 1, 3), { kind: 'window', kernel: 2, stride: 2, name: 'F.maxPool2d' }]), [1, 12, 12]);
    assert.deepEqual(r.layers.map((l) => [l.name, l.type, l.receptiveField[0]]), [['(root)', 'Conv2d', 3], ['F.maxPool2d', 'window', 4]]);
  });
});

describe('errors', () => {
  test('an unknown module names itself and the two ways to describe it', () => {
    class Mystery extends nn.Module {}
    assert.throws(
      () => receptiveField(new nn.Sequential(new nn.ReLU(), new Mystery() as unknown as nn.ReLU), [1, 8, 8]),
      /receptiveField: no receptive-field description for Mystery '1'; give the class a receptiveFieldGraph\(\) method .* or call registerReceptiveField/,
    );
  });
  test('registerReceptiveField teaches it a new class', () => {
    class Halve extends nn.Module {}
    analysis.registerReceptiveField(Halve, () => ({ kind: 'window', kernel: 2, stride: 2 }));
    assert.deepEqual(receptiveField(new Halve(), [1, 8]).layers[0].outputSize, [4]);
  });
  test('Linear on an unflattened map', () => {
    assert.throws(() => receptiveField(new nn.Sequential(new nn.Conv2d(1, 1, 3), new nn.Linear(6, 2)), [1, 8, 8]), /receptiveField: '1' mixes all positions only after a Flatten, but gets an unflattened map of size \[6, 6\]; add nn.Flatten before it/);
  });
  test('a kernel larger than the map', () => {
    assert.throws(() => receptiveField(new nn.Conv2d(1, 1, 5), [1, 3, 8]), /receptiveField: '\(root\)' gives output size \[-1, 4\] from input size \[3, 8\]/);
  });
  test('an input shape without spatial dims', () => {
    assert.throws(() => receptiveField(new nn.Linear(4, 2), [4]), /receptiveField: inputShape must be one sample's shape \[C, ...spatial\]/);
  });
});
