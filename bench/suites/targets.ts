/**
 * The performance targets of the fast-CPU-backend issue, checked against one run's results.
 * @module
 */
import { itemById, type ColumnId } from './items.js';
import { formatNumber, formatRatio, ratio, type Cell, type Results } from './table.js';

/** One target's verdict. */
export interface TargetCheck {
  target: string;
  measured: string;
  /** null: not measurable in this run (a cell missing, failed or skipped). */
  met: boolean | null;
}

function ok(cell: Cell | undefined): cell is Cell & { value: number } {
  return cell?.status === 'ok' && cell.value !== undefined;
}

/**
 * Checks every target (see the issue); `variant` is the wasm kernel build the glubina side used
 * ('relaxed' raises the 1-thread GEMM target from 40 to 50 GFLOP/s). Two-thread targets compare
 * with PyTorch's better run of the two, as the issue asks for PyTorch's best configuration.
 */
export function checkTargets(results: Results, variant: string | null): TargetCheck[] {
  const cells = (id: string): Partial<Record<ColumnId, Cell>> => results.get(id) ?? {};
  const checks: TargetCheck[] = [];
  const versus = (target: string, id: string, mine: ColumnId, theirs: ColumnId, min: number): void => {
    const c = cells(id);
    const r = ratio(c[mine], c[theirs], itemById(id).unit);
    checks.push({ target, measured: formatRatio(r), met: r === null ? null : r >= min });
  };
  // PyTorch "in its best configuration" on 2 cores: its 1-thread run when that was faster (as when
  // another process holds a core and its 2 OpenMP threads wait for each other).
  const versusBestTorch = (target: string, id: string, min: number): void => {
    const c = cells(id);
    const unit = itemById(id).unit;
    const r2 = ratio(c.g2, c.p2, unit);
    const r1 = ratio(c.g2, c.p1, unit);
    const useOne = r1 !== null && (r2 === null || r1 < r2);
    const r = useOne ? r1 : r2;
    checks.push({ target, measured: formatRatio(r, useOne ? ' (vs PyTorch 1t, its faster run here)' : ''), met: r === null ? null : r >= min });
  };

  const gemm = cells('gemm.1024');
  const floor = variant === 'relaxed' ? 50 : 40;
  checks.push({
    target: `GEMM n=1024, 1 thread ≥ ${floor} GFLOP/s (${variant ?? 'no wasm'} build)`,
    measured: ok(gemm.g1) ? `${formatNumber(gemm.g1.value)} GFLOP/s` : '—',
    met: ok(gemm.g1) ? gemm.g1.value >= floor : null,
  });
  versus('GEMM n=1024, 2 threads ≥ 1.8× 1 thread', 'gemm.1024', 'g2', 'g1', 1.8);
  versus('GEMM n=1024 ≥ 1.5× tfjs-wasm (1 thread)', 'gemm.1024', 'g1', 'tw', 1.5);
  versus('LeNet-5 training, batch 64 ≥ 1.0× PyTorch, 1 thread', 'lenet.train64', 'g1', 'p1', 1.0);
  versusBestTorch('LeNet-5 training, batch 64 ≥ 1.0× PyTorch, 2 threads', 'lenet.train64', 1.0);
  versus('Conv 3×3 64→64 forward+backward ≥ 0.6× PyTorch, 1 thread', 'conv.fwdbwd', 'g1', 'p1', 0.6);
  versusBestTorch('Conv 3×3 64→64 forward+backward ≥ 0.6× PyTorch, 2 threads', 'conv.fwdbwd', 0.6);
  versus('LeNet-5 inference latency, batch 1 ≤ PyTorch (1 thread)', 'lenet.infer1', 'g1', 'p1', 1.0);
  const copy = cells('ew.copyref').g1;
  for (const id of ['ew.add', 'ew.relu']) {
    const mine = cells(id).g1;
    const share = ok(mine) && ok(copy) ? mine.value / copy.value : null;
    checks.push({
      target: `${itemById(id).label} (1e7 floats, 1 thread) ≥ 50% of the memory copy bandwidth`,
      measured: share === null ? '—' : `${Math.round(share * 100)}%`,
      met: share === null ? null : share >= 0.5,
    });
  }
  versus('Peak RSS of LeNet-5 training ≤ PyTorch', 'rss.lenet', 'g1', 'p1', 1.0);
  return checks;
}

/** The checks as a markdown list. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  const mark = (m: boolean | null): string => (m === null ? '·' : m ? '✓' : '✗');
  return checks.map((c) => `- ${mark(c.met)} ${c.target}: ${c.measured}`).join('\n');
}
