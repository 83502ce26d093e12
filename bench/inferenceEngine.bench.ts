/**
 * Inference engines side by side (issue 15): tfjs-backend-wasm (one thread, the default engine without
 * onnxruntime-node), onnxruntime-node 1 and 2 intra-op threads running the model exported by `toOnnx`, and PyTorch 1
 * and 2 threads (`torch.set_num_threads`), all in this one run:
 *
 * 1. the demo's 2 mm brain: the shipped baseline (`demo/baseline/model.json`, ModSegNet 16/32/64/128, 96×96×7
 *    slices, 26 classes) on a demo subject (AAL regions, 2 mm, 90×108×90: 108 coronal slices, `predictSlices` through
 *    `segmentVolume`, batch 4, labels only); PyTorch runs the same architecture with random weights on random
 *    slices (the speed does not depend on the weights). Also: what exporting the weights and creating the session
 *    costs (what each validation of `nonadj train --engine auto` pays), and the labels of ORT against tfjs.
 * 2. brainchop's MeshNet (model30chan50cls) on Colin27 conformed to 256³ (nibabel, `meshnet_reference.py conform`),
 *    head's box with margin 8: `segmentVolume` (ORT: the box in one forward pass; tfjs: layer by layer in slabs)
 *    against `meshnet_reference.py torch` (same weights, same preparation), whose labels are compared with ORT's.
 *
 * Times: median wall-clock seconds and the process CPU seconds beside them, because this 2-core machine is shared (a
 * 2-thread run's CPU adds both threads). Ratios are against tfjs wasm and against PyTorch with the same thread count,
 * measured in the same run. `--smoke`: part 1 only, with a small net and volume, no PyTorch.
 *
 * `node --import tsx bench/inferenceEngine.bench.ts [--smoke]`
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/initEngine.js';
import { makeInferenceEngine, type InferenceEngine } from '../src/infer/makeInferenceEngine.js';
import { segmentVolume } from '../src/infer/segmentVolume.js';
import { makeDemoData } from '../src/demo/makeDemoData.js';
import { loadModel } from '../src/model/modelFiles.js';
import { makeModSegNet } from '../src/model/makeModSegNet.js';
import { readNiftiFile, writeNiftiFile } from '../src/volume/niftiFile.js';
import { cpuNow, machineLine, median, SMOKE } from './machine.js';
import { TORCH_MODSEGNET } from './torchChild.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const PY = '/usr/bin/python3';
const MESHNET = process.env.NONADJ_MESHNET_MODEL ?? '/work/shared/models/brainchop-model30chan50cls/model.json';

interface Timing {
  seconds: number;
  cpuSeconds: number;
}

/** Median wall and CPU seconds of `repeats` runs after `warmup` untimed ones. */
async function time(fn: () => Promise<unknown>, repeats: number, warmup = 1): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const c0 = cpuNow();
    await fn();
    wall.push((performance.now() - t0) / 1000);
    cpu.push((cpuNow() - c0) / 1000);
  }
  return { seconds: median(wall), cpuSeconds: median(cpu) };
}

const torchScript = String.raw`
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg['threads'])
torch.manual_seed(0)

${TORCH_MODSEGNET}

net = ModSegNet(cfg['k'], cfg['classes'], cfg['filters']).eval()
n, b = cfg['slices'], 4
xs = torch.randn(b, cfg['k'], cfg['size'], cfg['size'])
def infer():
    with torch.no_grad():
        for start in range(0, n, b):
            net(xs[:min(b, n - start)]).argmax(1)
infer()
wall, cpu = [], []
for _ in range(cfg['repeats']):
    t0, c0 = time.perf_counter(), time.process_time()
    infer()
    wall.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
wall.sort(); cpu.sort()
print(json.dumps({'torch': torch.__version__, 'seconds': wall[len(wall) // 2], 'cpuSeconds': cpu[len(cpu) // 2]}))
`;

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`inferenceEngine bench: ${cmd} ${args.slice(0, 2).join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.slice(-1500)}`);
  return r.stdout;
}
const lastJson = <T>(text: string): T => JSON.parse(text.trim().split('\n').at(-1)!) as T;
const hasTorch = !SMOKE && spawnSync(PY, ['-c', 'import torch, nibabel']).status === 0;
const fmt = (t: Timing | null): string => (t === null ? '– | –' : `${t.seconds.toFixed(2)} | ${t.cpuSeconds.toFixed(2)}`);
const ratio = (a: Timing | null, b: Timing | null): string =>
  a === null || b === null ? '–' : `${(a.seconds / b.seconds).toFixed(2)}× (CPU ${(a.cpuSeconds / b.cpuSeconds).toFixed(2)}×)`;
const differing = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
};

const info = await initEngine({ backend: 'wasm' });
console.log(`Machine: ${machineLine()}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} at the start; tfjs-backend-wasm ${tf.version_core}, SIMD ${info.simd}\n`);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-engines-'));
try {
  // 1. The demo's 2 mm brain.
  let model;
  let metadata;
  let image;
  if (SMOKE) {
    model = makeModSegNet({ inputShape: [16, 16, 3], numClasses: 5, filters: [4, 8], seed: 1 });
    metadata = { kind: '2.5d' as const, classes: [0, 1, 2, 3, 4], inputShape: [16, 16, 3], axis: 1 as const, k: 3 };
    const data = tf.randomNormal([12 * 10 * 12], 0, 1, 'float32', 3).dataSync() as Float32Array;
    const { makeVolume } = await import('../src/volume/Volume.js');
    image = makeVolume([12, 10, 12], data, { spacingMm: [2, 2, 2] });
  } else {
    await makeDemoData({ dir: tmp, root, atlas: 'aal', labels: 'regions', downsample: 2, seed: 1, sizes: { train: 1, val: 0, test: 0, 'unseen-train': 0, 'unseen-test': 0 } });
    ({ model, metadata } = await loadModel(path.join(root, 'demo', 'baseline', 'model.json')));
    image = await readNiftiFile(path.join(tmp, 'train', 's000', 'prepro_im_mni_bc.nii.gz'), { expect: '3d' });
  }
  const repeats = SMOKE ? 1 : 3;
  const run = (engine: InferenceEngine | null) => () => segmentVolume(model, image, { metadata, batchSize: 4, forward: engine?.forward });
  const tfjsTime = await time(run(null), repeats);
  const tfjsLabels = (await run(null)()).labels.data;
  const setup: number[] = [];
  for (let i = 0; i < 5; i++) {
    const e = await makeInferenceEngine(model, { engine: 'onnx', threads: 1 });
    setup.push(e.setupSeconds);
    await e.dispose();
  }
  const ort: Record<number, Timing> = {};
  let labelsDiffer = 0;
  let version = '';
  for (const threads of [1, 2]) {
    const engine = await makeInferenceEngine(model, { engine: 'onnx', threads });
    version = engine.description.split(',')[0];
    ort[threads] = await time(run(engine), repeats);
    labelsDiffer = Math.max(labelsDiffer, differing((await run(engine)()).labels.data, tfjsLabels));
    await engine.dispose();
  }
  const torch: Record<number, (Timing & { torch: string }) | null> = { 1: null, 2: null };
  if (hasTorch) {
    const script = path.join(tmp, 'infer_torch.py');
    writeFileSync(script, torchScript);
    for (const threads of [1, 2]) {
      const cfg = { threads, k: 7, classes: 26, filters: [16, 32, 64, 128], size: 96, slices: image.dims[1], repeats };
      torch[threads] = lastJson(sh(PY, [script, JSON.stringify(cfg)], { OMP_NUM_THREADS: String(threads) }));
    }
  }
  const [nx, ny, nz] = image.dims;
  console.log(`### ${SMOKE ? 'Smoke: a tiny ModSegNet' : 'The demo\'s shipped baseline (ModSegNet 16/32/64/128, 96×96×7, 26 classes)'} on a ${nx}×${ny}×${nz} brain, ${ny} coronal slices, batch 4\n`);
  console.log(`${version}; PyTorch ${torch[1]?.torch ?? (SMOKE ? 'skipped (--smoke)' : 'skipped: no /usr/bin/python3 with torch')}. Median of ${repeats} runs after a warm-up.\n`);
  console.log('| engine | wall s | CPU s | tfjs time / this | this / PyTorch same threads |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| tfjs wasm (1 thread) | ${fmt(tfjsTime)} | 1.00× | ${ratio(tfjsTime, torch[1])} |`);
  for (const t of [1, 2]) console.log(`| onnxruntime-node, ${t} thread${t > 1 ? 's' : ''} | ${fmt(ort[t])} | ${ratio(tfjsTime, ort[t])} | ${ratio(ort[t], torch[t])} |`);
  for (const t of [1, 2]) console.log(`| PyTorch, ${t} thread${t > 1 ? 's' : ''} | ${fmt(torch[t])} | ${ratio(tfjsTime, torch[t])} | |`);
  console.log(`\nExport + session creation (toOnnx of the current weights, InferenceSession.create): median ${median(setup).toFixed(3)} s of 5. Labels, onnxruntime against tfjs: ${labelsDiffer} of ${tfjsLabels.length} voxels differ.\n`);

  // 2. brainchop's MeshNet on Colin27's head box.
  if (!SMOKE && hasTorch && existsSync(MESHNET)) {
    const t1 = path.join(tmp, 'ch2-conformed.nii.gz');
    sh(PY, [path.join(here, 'meshnet_reference.py'), 'conform', path.join(root, 'data/ch2.nii.gz'), t1]);
    const { model: mesh } = await loadModel(MESHNET);
    const conformed = await readNiftiFile(t1, { expect: '3d' });
    const seg = (engine: InferenceEngine | null) => () => segmentVolume(mesh, conformed, { metadata: null, crop: 8, forward: engine?.forward });
    const rows: Array<[string, Timing | null, string?]> = [];
    const tfjsMesh = await time(seg(null), 1, 0).catch(() => null);
    rows.push(['tfjs wasm (1 thread), layer by layer', tfjsMesh]);
    const meshOrt: Record<number, Timing> = {};
    let ortLabels: string | null = null;
    let box = '';
    for (const threads of [1, 2]) {
      const engine = await makeInferenceEngine(mesh, { engine: 'onnx', threads });
      meshOrt[threads] = await time(seg(engine), 1, 0);
      if (threads === 2) {
        const result = await seg(engine)();
        box = result.run.crop ? result.run.crop.size.join('×') : 'whole';
        ortLabels = path.join(tmp, 'ort-crop.nii.gz');
        await writeNiftiFile(ortLabels, result.labels, { kind: 'labels' });
      }
      await engine.dispose();
    }
    const torchMesh: Record<number, Timing> = {};
    const torchLabels = path.join(tmp, 'torch-crop.nii.gz');
    for (const threads of [1, 2]) {
      torchMesh[threads] = lastJson<Timing>(sh(PY, [path.join(here, 'meshnet_reference.py'), 'torch', MESHNET, t1, torchLabels, '--threads', String(threads), '--crop', '8'], { OMP_NUM_THREADS: String(threads) }));
    }
    const cmp = ortLabels ? lastJson<{ voxelsDiffering: number; thalamusDice: number }>(sh(PY, [path.join(here, 'meshnet_reference.py'), 'compare', ortLabels, torchLabels])) : null;
    console.log(`### brainchop MeshNet (model30chan50cls) on Colin27 conformed to 256³, head's box ${box} (margin 8)\n`);
    console.log('PyTorch times: `meshnet_reference.py torch` (one run each; preparation, crop, network, labels); nonadj: `segmentVolume` (the same steps), one run each. Peak RSS of this process: ' +
      `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB.\n`);
    console.log('| engine | wall s | CPU s | tfjs time / this | this / PyTorch same threads |');
    console.log('|---|---:|---:|---:|---:|');
    console.log(`| tfjs wasm (1 thread), layer by layer | ${fmt(tfjsMesh)} | 1.00× | ${ratio(tfjsMesh, torchMesh[1])} |`);
    for (const t of [1, 2]) console.log(`| onnxruntime-node, ${t} thread${t > 1 ? 's' : ''}, the box in one pass | ${fmt(meshOrt[t])} | ${ratio(tfjsMesh, meshOrt[t])} | ${ratio(meshOrt[t], torchMesh[t])} |`);
    for (const t of [1, 2]) console.log(`| PyTorch, ${t} thread${t > 1 ? 's' : ''} | ${fmt(torchMesh[t])} | ${ratio(tfjsMesh, torchMesh[t])} | |`);
    if (cmp) console.log(`\nLabels, onnxruntime (2 threads) against PyTorch: ${cmp.voxelsDiffering} voxels differ; thalamus Dice against AAL ${cmp.thalamusDice}.\n`);
  } else if (!SMOKE) {
    console.log(`MeshNet part skipped: ${hasTorch ? `no model at ${MESHNET}` : `${PY} cannot import torch and nibabel`}.\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
