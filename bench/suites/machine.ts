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

/**
 * AMD's core generation from /proc/cpuinfo's family and model: "AMD EPYC" alone does not tell the
 * Zen 3 machines (128-bit FMA peak ~46 GFLOP/s here, 512 KiB L2) from the Zen 4 ones (~53, 1 MiB),
 * and the two rank glubina against its peers differently.
 */
export function amdCore(family: number, model: number): string | null {
  if (family === 23) return model < 0x30 ? 'Zen/Zen+' : 'Zen 2';
  if (family === 25) return model < 0x10 || (model >= 0x20 && model < 0x60) ? 'Zen 3' : 'Zen 4';
  if (family === 26) return 'Zen 5';
  return null;
}

function cpuinfo(): { model: string; flags: string[] } {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    let model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1].trim() ?? 'unknown';
    const flags = (/^flags\s*:\s*(.+)$/m.exec(text)?.[1] ?? '').split(/\s+/);
    const family = Number(/^cpu family\s*:\s*(\d+)$/m.exec(text)?.[1] ?? NaN);
    const number = Number(/^model\s*:\s*(\d+)$/m.exec(text)?.[1] ?? NaN);
    if (Number.isInteger(family) && Number.isInteger(number)) {
      const core = /AuthenticAMD/.test(text) ? amdCore(family, number) : null;
      model += `, family ${family} model ${number}${core === null ? '' : ` (${core})`}`;
    }
    const l2 = cacheSize(2);
    if (l2 !== null) model += `, L2 ${l2} per core`;
    return { model, flags: ['avx2', 'fma', 'avx512f'].filter((f) => flags.includes(f)) };
  } catch {
    return { model: 'unknown (no /proc/cpuinfo)', flags: [] };
  }
}

/** The size of cpu0's unified cache of `level` as sysfs gives it ("512K" → "512 KiB"), or null. */
function cacheSize(level: number): string | null {
  try {
    const size = readFileSync(`/sys/devices/system/cpu/cpu0/cache/index${level}/size`, 'utf8').trim();
    const m = /^(\d+)([KM])$/.exec(size);
    return m === null ? size : `${m[1]} ${m[2]}iB`;
  } catch {
    return null;
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
