/**
 * What the benchmark ran on: cores, CPU model, memory, Node, load, and the revision measured.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

/** Facts about this machine, collected once at the start of a run. */
export interface MachineInfo {
  date: string;
  nproc: number;
  cpu: string;
  /** CPU flags that matter for SIMD kernels (avx2, avx512f, fma), as /proc/cpuinfo lists them. */
  simdFlags: string[];
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average: the machine is shared, so a high load explains slow cells. */
  loadStart: number;
  /** The git revision measured (with `+` when the tree has changes), or null outside a checkout. */
  revision: string | null;
}

function cpuinfo(): { model: string; flags: string[] } {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1].trim() ?? 'unknown';
    const flags = (/^flags\s*:\s*(.+)$/m.exec(text)?.[1] ?? '').split(/\s+/);
    return { model, flags: ['avx2', 'fma', 'avx512f'].filter((f) => flags.includes(f)) };
  } catch {
    return { model: 'unknown (no /proc/cpuinfo)', flags: [] };
  }
}

function revision(cwd: string): string | null {
  try {
    const opts = { cwd, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'] };
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], opts).trim() !== '';
    return dirty ? `${head}+` : head;
  } catch {
    return null;
  }
}

/** Collects {@link MachineInfo}; `root` is the repository the revision is read from. */
export function machineInfo(root: string): MachineInfo {
  const { model, flags } = cpuinfo();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: availableParallelism(),
    cpu: model,
    simdFlags: flags,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadStart: loadavg()[0],
    revision: revision(root),
  };
}
