/**
 * Per-kernel profile of whole-volume inference (`predictSlices` of a 2 mm brain, 90×108×90, 108 coronal slices,
 * batch 4) with the demo's ModSegNet (16/32/64/128, 96×96×7, 26 classes) on tfjs-backend-wasm: process CPU time per
 * kernel. Not part of `npm run bench`: `node --import tsx bench/profileInfer.ts [--json]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/initEngine.js';
import { makeModSegNet } from '../src/model/makeModSegNet.js';
import { predictSlices } from '../src/infer/predictSlices.js';
import { KernelProfiler } from './kernelProfiler.js';
import { cpuNow } from './machine.js';

await initEngine({ backend: 'wasm' });
const dims: [number, number, number] = [90, 108, 90];
const model = makeModSegNet({ inputShape: [96, 96, 7], numClasses: 26, filters: [16, 32, 64, 128], seed: 2 });
const volume = { dims, data: tf.tidy(() => tf.randomNormal([dims[0] * dims[1] * dims[2]], 0, 1, 'float32', 8)).dataSync() as Float32Array };
await predictSlices(model, volume, { axis: 1, batchSize: 4 });
const profiler = new KernelProfiler();
profiler.install();
profiler.phase = 'infer';
const c0 = cpuNow();
const t0 = performance.now();
await predictSlices(model, volume, { axis: 1, batchSize: 4 });
const cpu = cpuNow() - c0;
const wall = performance.now() - t0;
profiler.uninstall();
const rows = profiler.rows();
if (process.argv.includes('--json')) {
  const kernels: Record<string, number> = {};
  for (const r of rows) kernels[r.kernel] = (kernels[r.kernel] ?? 0) + r.cpuMs;
  console.log(JSON.stringify({ cpuMs: cpu, wallMs: wall, phases: {}, kernels }));
  process.exit(0);
}
const inKernels = rows.reduce((a, r) => a + r.cpuMs, 0);
console.log(`predictSlices: ${cpu.toFixed(0)} ms CPU (${wall.toFixed(0)} ms wall), in kernels ${inKernels.toFixed(0)} ms\n`);
console.log('| kernel | CPU ms | calls | share |');
console.log('|---|---:|---:|---:|');
for (const r of rows.slice(0, 20)) console.log(`| ${r.kernel} | ${r.cpuMs.toFixed(1)} | ${r.calls} | ${((100 * r.cpuMs) / inKernels).toFixed(1)} % |`);
