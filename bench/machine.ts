import os from 'node:os';

/** One line describing the machine a benchmark ran on (CPU model, cores, memory, Node version). */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const memGb = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${model}, ${cpus.length} cores, ${memGb} GB, Node ${process.version}, ${os.platform()}-${os.arch()}`;
}

/** Median of a list of numbers (milliseconds, usually). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Time `fn` `repeats` times after `warmup` untimed calls; returns each run in milliseconds. */
export async function timeRuns(fn: () => unknown, repeats: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Median wall-clock and process-CPU time of a call, in milliseconds. */
export interface Timing {
  wallMs: number;
  /** User + system CPU of the whole process: on a shared machine the fair figure for one thread (wall includes waiting). */
  cpuMs: number;
}

/** Process CPU time (user + system), in milliseconds. */
export function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median wall and CPU time of `repeats` calls of `fn` after one untimed warm-up call (kernels compiled, heap grown). */
export async function timeWallAndCpu(fn: () => unknown, repeats: number): Promise<Timing> {
  await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const c0 = cpuNow();
    await fn();
    wall.push(performance.now() - t0);
    cpu.push(cpuNow() - c0);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

/** Whether the benchmark was asked for its quick CI-sized variant. */
export const SMOKE = process.argv.includes('--smoke');
