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

/** Whether the benchmark was asked for its quick CI-sized variant. */
export const SMOKE = process.argv.includes('--smoke');
