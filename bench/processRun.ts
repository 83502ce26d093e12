import { spawnSync } from 'node:child_process';

/** What one whole-process run cost: wall time from outside, CPU time and peak resident memory from inside. */
export interface ProcessRun {
  wallMs: number;
  /** User + system CPU of the process, its worker threads included. */
  cpuMs: number;
  /** Peak resident set size of the process, MB. */
  peakMb: number;
}

/**
 * Preloaded into the child (`node --import REPORT …`): prints its own CPU time and peak memory at exit (stderr, one
 * line `nonadj-bench cpu <ms> maxrss <KB>`).
 */
export const REPORT = 'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write(`\\nnonadj-bench cpu ${(u.user+u.system)/1000} maxrss ${process.resourceUsage().maxRSS}\\n`)})';

/**
 * Run `node <args>` as a fresh process and measure it (the benchmarks of whole commands: start-up, memory).
 *
 * @param env - the child's environment (default: this process's).
 * @throws Error with the child's stderr when it exits non-zero.
 */
export function processRun(args: readonly string[], env?: NodeJS.ProcessEnv): ProcessRun {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['--import', REPORT, ...args], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, env });
  const wallMs = performance.now() - t0;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
  const m = /nonadj-bench cpu ([\d.]+) maxrss (\d+)/.exec(run.stderr);
  if (!m) throw new Error(`node ${args.join(' ')} did not report its resources: ${run.stderr}`);
  return { wallMs, cpuMs: Number(m[1]), peakMb: Number(m[2]) / 1024 };
}
