/**
 * Per-kernel profile of the demo's ModSegNet training step (see `modSegNetStep.ts`) on tfjs-backend-wasm:
 * process CPU time (and wall time) per kernel and per phase (data, forward, loss, backward, optimiser), summed over
 * the timed steps and divided by their number. Not part of `npm run bench` (a long table):
 * `node --import tsx bench/profileStep.ts [--steps N] [--unlabelled U] [--filters 16,32,64,128] [--baseline convBackprop] [--json]`.
 */
import { initEngine } from '../src/engine/initEngine.js';
import { registerBaselineKernels, type BaselineKernelSet } from './baselineKernels.js';
import { KernelProfiler, type KernelRow } from './kernelProfiler.js';
import { cpuNow } from './machine.js';
import { demoPrior, makeModSegNetStep } from './modSegNetStep.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : process.argv[i + 1];
};
const steps = Number(arg('steps', '4'));
await initEngine({ backend: 'wasm' });
const baseline = arg('baseline', '');
if (baseline !== '') registerBaselineKernels(baseline as BaselineKernelSet);
const step = makeModSegNetStep({ prior: await demoPrior(), unlabelled: Number(arg('unlabelled', '0')), filters: arg('filters', '16,32,64,128').split(',').map(Number) });
step.run();
step.run();
const profiler = new KernelProfiler();
profiler.install();
const phases = new Map<string, { ms: number; cpuMs: number }>();
let wall = 0;
let cpu = 0;
for (let i = 0; i < steps; i++) {
  let last = [performance.now(), cpuNow()];
  const start = last;
  const close = (): void => {
    const now = [performance.now(), cpuNow()];
    const e = phases.get(profiler.phase) ?? { ms: 0, cpuMs: 0 };
    e.ms += now[0] - last[0];
    e.cpuMs += now[1] - last[1];
    phases.set(profiler.phase, e);
    last = now;
  };
  step.run((p) => {
    close();
    profiler.phase = p;
  });
  close();
  profiler.phase = 'other';
  wall += last[0] - start[0];
  cpu += last[1] - start[1];
}
profiler.uninstall();
if (process.argv.includes('--json')) {
  const kernels: Record<string, number> = {};
  for (const r of profiler.rows()) kernels[r.kernel] = (kernels[r.kernel] ?? 0) + r.cpuMs / steps;
  const phaseCpu = Object.fromEntries([...phases].map(([p, e]) => [p, e.cpuMs / steps]));
  console.log(JSON.stringify({ cpuMs: cpu / steps, wallMs: wall / steps, phases: phaseCpu, kernels }));
  process.exit(0);
}
const per = (ms: number): string => (ms / steps).toFixed(1);
const rows = profiler.rows();
const sum = (rs: KernelRow[]): number => rs.reduce((a, r) => a + r.cpuMs, 0);
const kernelCpu = sum(rows);
console.log(`step: ${per(cpu)} ms CPU (${per(wall)} ms wall); in kernels ${per(kernelCpu)} ms CPU\n`);
console.log('| phase | CPU ms per step | in kernels | wall ms |');
console.log('|---|---:|---:|---:|');
for (const [p, e] of phases) if (p !== 'other') console.log(`| ${p} | ${per(e.cpuMs)} | ${per(sum(rows.filter((r) => r.phase === p)))} | ${per(e.ms)} |`);
const byKernel = new Map<string, { cpuMs: number; calls: number }>();
for (const r of rows) {
  const e = byKernel.get(r.kernel) ?? { cpuMs: 0, calls: 0 };
  e.cpuMs += r.cpuMs;
  e.calls += r.calls;
  byKernel.set(r.kernel, e);
}
console.log('\n| kernel (all phases) | CPU ms per step | calls per step | share of kernel time |');
console.log('|---|---:|---:|---:|');
for (const [k, e] of [...byKernel].sort((a, b) => b[1].cpuMs - a[1].cpuMs).slice(0, 25)) {
  console.log(`| ${k} | ${per(e.cpuMs)} | ${(e.calls / steps).toFixed(0)} | ${((100 * e.cpuMs) / kernelCpu).toFixed(1)} % |`);
}
console.log('\n| phase | kernel | CPU ms per step | calls per step |');
console.log('|---|---|---:|---:|');
for (const r of rows.slice(0, 40)) console.log(`| ${r.phase} | ${r.kernel} | ${per(r.cpuMs)} | ${(r.calls / steps).toFixed(0)} |`);
console.log("\nInner kernels (run by the project's composed kernels):\n");
console.log('| phase | kernel | CPU ms per step | calls per step |');
console.log('|---|---|---:|---:|');
for (const r of profiler.rows('inner').slice(0, 15)) console.log(`| ${r.phase} | ${r.kernel} | ${per(r.cpuMs)} | ${(r.calls / steps).toFixed(0)} |`);
step.dispose();
