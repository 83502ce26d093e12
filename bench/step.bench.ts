/**
 * Side by side with PyTorch, on the demo's setting (`nonadj demo`: ModSegNet 16/32/64/128, 96×96×7 slices, 26
 * classes, class-weighted CE + 5·Dice + λ·NonAdjLoss from logits, λ = 1, Adam; see `modSegNetStep.ts`):
 *
 * 1. the training step, batch 4, on tfjs-backend-wasm (one worker: one core) against the same network, batch and
 *    loss in PyTorch with 1 and with 2 threads (`torch.set_num_threads`);
 * 2. the semi-supervised step: 4 labelled + 12 unlabelled items (the unlabelled ones reach only the NonAdjLoss);
 * 3. inference of a 2 mm brain (90×108×90, 108 coronal slices, `predictSlices`, batch 4, argmax) against PyTorch.
 *
 * PyTorch runs in a child process when `python3 -c 'import torch'` works (Debian's `python3-torch`); its NonAdjLoss is
 * the dense reference formulation (softmax, 3×3 average pool, Pᵀ·Q). Steps per second are from the median wall time;
 * the process CPU time is shown too, because on a shared machine it is what the comparison means for one-thread
 * runs (for PyTorch with 2 threads it adds both threads up).
 *
 * 1–2 again with the network's forward and backward passes on onnxruntime-node (`makeGradientEngine`'s training
 *    graphs, 1 thread; the loss and Adam stay on tfjs), the engine `nonadj train` uses when the package is installed.
 *
 * 4. The step as `nonadj train` runs it in the demo, data included: `trainSegmenter` fine-tuning the shipped demo
 *    baseline (`demo/baseline/model.json`) on demo subjects (`makeDemoData`: AAL regions, 2 mm, seed 1), batch 4,
 *    λ 1, Adam 1e-4, empty slices at 0.1, elastic augmentation 0.6 (the demo's settings), with 1 and 2 workers
 *    (`--workers`), on each engine (`--engine tfjs` and `onnx`), and semi-supervised (4 + 12 unlabelled slices of the unseen scanner); seconds per step are the
 *    median of `onStep`'s wall times (sampling + step) over steps 11–20 of each run (steady state), steps 2–10 apart
 *    (warm-up of the fresh worker threads). Ratios: 2 workers against 1, and against
 *    PyTorch with 2 threads (its step has no data loading: a bound in PyTorch's favour).
 *
 * `node --import tsx bench/step.bench.ts [--smoke]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/initEngine.js';
import { makeModSegNet } from '../src/model/makeModSegNet.js';
import { predictSlices } from '../src/infer/predictSlices.js';
import { findTorchPython, runTorchScript, TORCH_MODSEGNET } from './torchChild.js';
import { cpuNow, machineLine, median, SMOKE, timeWallAndCpu, type Timing } from './machine.js';
import { demoPrior, makeModSegNetStep, toLogits } from './modSegNetStep.js';
import { makeDemoData } from '../src/demo/makeDemoData.js';
import { findTrainingExams } from '../src/data/findTrainingExams.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { trainSegmenter } from '../src/train/trainSegmenter.js';
import { makeGradientEngine } from '../src/train/makeGradientEngine.js';
import { runStep } from '../src/train/runStep.js';
import type { StepBatch } from '../src/train/makeBatchSource.js';
import { makeOptimizer } from '../src/train/optimizer.js';
import { makeSegmentationLoss } from '../src/loss/makeSegmentationLoss.js';
import { seededRandom } from '../src/numeric/seededRandom.js';

const cfg = SMOKE
  ? { filters: [4, 8], size: 16, k: 3, steps: 2, volume: [12, 6, 12] as [number, number, number], pad: 16 }
  : { filters: [16, 32, 64, 128], size: 96, k: 7, steps: 5, volume: [90, 108, 90] as [number, number, number], pad: 96 };

const torchScript = String.raw`
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg['threads'])
torch.manual_seed(0)

${TORCH_MODSEGNET}

C = cfg['classes']
Fm = 1 - torch.tensor(cfg['allowed'], dtype=torch.float32).view(C, C)
nF = Fm.sum()

def nonadj(P):
    Q = F.avg_pool2d(P, 3, stride=1, padding=1, count_include_pad=True)
    A = torch.matmul(P.transpose(0, 1).reshape(C, -1), Q.transpose(0, 1).reshape(C, -1).t()) / (P.numel() // C)
    return (A * Fm).sum() / nF

def timed(fn, steps):
    fn()
    wall, cpu = [], []
    for _ in range(steps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {'wallMs': sorted(wall)[len(wall) // 2], 'cpuMs': sorted(cpu)[len(cpu) // 2]}

net = ModSegNet(cfg['k'], C, cfg['filters'])
s, k = cfg['size'], cfg['k']

def make_step(bl, bu):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(bl + bu, k, s, s)
    y = torch.randint(0, C, (bl, s, s))
    yh = F.one_hot(y, C).movedim(-1, 1).float()
    def step():
        opt.zero_grad()
        logits = net(x)
        ll = logits[:bl]
        p = torch.softmax(ll, 1)
        inter = (p * yh).sum((0, 2, 3))
        dice = 1 - ((2 * inter + 1) / (p.sum((0, 2, 3)) + yh.sum((0, 2, 3)) + 1)).mean()
        loss = F.cross_entropy(ll, y) + 5 * dice + cfg['lambda'] * nonadj(torch.softmax(logits, 1))
        loss.backward()
        opt.step()
        return loss.item()
    return step

out = {'torch': torch.__version__}
out['step'] = timed(make_step(4, 0), cfg['steps'])
out['semi'] = timed(make_step(4, 12), cfg['steps'])
net.eval()
n, ib = cfg['slices'], 4
xs = torch.randn(ib, k, cfg['pad'], cfg['pad'])
def infer():
    with torch.no_grad():
        for start in range(0, n, ib):
            torch.softmax(net(xs[:min(ib, n - start)]), 1).argmax(1)
out['infer'] = timed(infer, 2)
print(json.dumps(out))
`;

interface TorchTimes {
  torch: string;
  step: Timing;
  semi: Timing;
  infer: Timing;
}

function runTorch(python: string, threads: number, extra: object): TorchTimes {
  return runTorchScript<TorchTimes>(python, torchScript, { ...cfg, ...extra, threads }, { who: 'step.bench', threads });
}

const info = await initEngine({ backend: 'wasm' });
const prior = await demoPrior();
const C = prior.numLabels;
const common = { prior, filters: cfg.filters, size: cfg.size, k: cfg.k };

const full = makeModSegNetStep(common);
const step = await timeWallAndCpu(() => full.run(), cfg.steps);
full.dispose();
const semiStep = makeModSegNetStep({ ...common, unlabelled: 12 });
const semi = await timeWallAndCpu(() => semiStep.run(), cfg.steps);
semiStep.dispose();

/** The same step (network, batch, loss, Adam) with the network's passes on onnxruntime (`makeGradientEngine`, 1 thread). */
async function onnxStep(unlabelled: number): Promise<Timing> {
  const m = toLogits(makeModSegNet({ inputShape: [cfg.size, cfg.size, cfg.k], numClasses: prior.numLabels, filters: cfg.filters, seed: 1 }));
  const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
  const engine = await makeGradientEngine(m, { engine: 'onnx', threads: 1 });
  const loss = makeSegmentationLoss({ prior, nanCheck: 'off' });
  const optimizer = makeOptimizer(variables, { kind: 'adam', learningRate: 1e-3 });
  const per = cfg.size * cfg.size;
  const random = seededRandom(11);
  const batch: StepBatch = {
    labelled: Float32Array.from({ length: 4 * per * cfg.k }, () => random.uniform(-1, 1)),
    labels: Int32Array.from({ length: 4 * per }, () => random.int(prior.numLabels)),
    unlabelled: unlabelled > 0 ? Float32Array.from({ length: unlabelled * per * cfg.k }, () => random.uniform(-1, 1)) : null,
    labelledCount: 4,
    unlabelledCount: unlabelled,
    sampleShape: [cfg.size, cfg.size, cfg.k],
    labelShape: [cfg.size, cfg.size],
  };
  try {
    return await timeWallAndCpu(() => runStep(engine, loss, optimizer, variables, batch, 1, 1e-3), cfg.steps);
  } finally {
    optimizer.dispose();
    await engine.dispose();
    m.dispose();
  }
}
const onnx = { step: await onnxStep(0), semi: await onnxStep(12) };

const [nx, ny, nz] = cfg.volume;
const model = makeModSegNet({ inputShape: [cfg.pad, cfg.pad, cfg.k], numClasses: C, filters: cfg.filters, seed: 2 });
const volume = { dims: cfg.volume, data: tf.tidy(() => tf.randomNormal([nx * ny * nz], 0, 1, 'float32', 8)).dataSync() as Float32Array };
const infer = await timeWallAndCpu(async () => void (await predictSlices(model, volume, { axis: 1, batchSize: 4 })), SMOKE ? 1 : 2);
model.dispose();

// 4. `nonadj train`'s step on the demo's data, 1 and 2 workers.
const root = path.resolve(import.meta.dirname, '..');
const demoDir = mkdtempSync(path.join(os.tmpdir(), 'nonadj-bench-demo-'));
// A fresh worker thread's first ~10 steps cost ~20 % more CPU than its later ones (its heap is being sized; see
// profileParallelStep.ts), while this thread is warm from parts 1–3: steps 2…warm are reported apart from the steady
// state (steps warm + 1…trainSteps), which is what a training run of thousands of steps sees.
const trainSteps = SMOKE ? 4 : 20;
const warmSteps = SMOKE ? 2 : 10;
/** Per run kind (`workers/step|semi`): the steady state, and the warm-up steps (`warm:` prefix). */
const trainRuns: Record<string, Timing> = {};
try {
  await makeDemoData({
    dir: demoDir, root, atlas: 'aal', labels: 'regions', downsample: 2, seed: 1,
    sizes: { train: SMOKE ? 1 : 3, val: 0, test: 0, 'unseen-train': SMOKE ? 1 : 2, 'unseen-test': 0 },
  });
  const train = await findTrainingExams(path.join(demoDir, 'train'));
  const unlabelled = await findTrainingExams(path.join(demoDir, 'unseen-train'), { requireLabels: false });
  const demoGraph = await AdjacencyPrior.read(path.join(demoDir, 'prior', 'graph.json'));
  const workerCounts = SMOKE ? [1, 2] : [1, Math.min(2, availableParallelism()), 1, Math.min(2, availableParallelism())];
  for (const [i, workers] of workerCounts.entries()) {
    for (const [engine, semi] of [['tfjs', false], ['tfjs', true], ['onnx', false], ['onnx', true]] as const) {
      const ms: number[] = [];
      const cpu: number[] = [];
      let c0 = cpuNow();
      await trainSegmenter({
        outDir: path.join(demoDir, 'runs', `${engine}-w${workers}-${semi ? 'semi' : 'step'}-${i}`),
        engine,
        prior: demoGraph,
        train,
        unlabelled: semi ? unlabelled : undefined,
        init: path.join(root, 'demo', 'baseline', 'model.json'),
        epochs: 1,
        stepsPerEpoch: trainSteps,
        batchSize: 4,
        lambda: 1,
        optimizer: { kind: 'adam', learningRate: 1e-4 },
        emptySliceWeight: 0.1,
        seed: 1,
        workers,
        onStep: (st) => {
          ms.push(st.ms);
          const c = cpuNow();
          cpu.push(c - c0);
          c0 = c;
        },
      });
      // Two rounds (1, 2, 1, 2 workers) in full runs, so that a load change on the shared machine shows in both; the
      // medians are taken over both rounds' steps: warm-up (2…warmSteps, the first left out) and steady state.
      for (const [prefix, from, to] of [['warm:', 1, warmSteps], ['', warmSteps, trainSteps]] as const) {
        const key = `${prefix}${engine}/${workers}/${semi ? 'semi' : 'step'}`;
        const prev = trainRuns[key] as (Timing & { all?: [number[], number[]] }) | undefined;
        const all: [number[], number[]] = [[...(prev?.all?.[0] ?? []), ...ms.slice(from, to)], [...(prev?.all?.[1] ?? []), ...cpu.slice(from, to)]];
        trainRuns[key] = Object.assign({ wallMs: median(all[0]), cpuMs: median(all[1]) }, { all });
      }
    }
  }
} finally {
  rmSync(demoDir, { recursive: true, force: true });
}

const python = SMOKE ? null : findTorchPython();
const allowed: number[] = [];
for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) allowed.push(prior.isAllowed(i, j) ? 1 : 0);
const extra = { classes: C, allowed, slices: ny, lambda: 1 };
const torch1 = python === null ? null : runTorch(python, 1, extra);
const torch2 = python === null ? null : runTorch(python, 2, extra);

const perSecond = (t: Timing): string => (1000 / t.wallMs).toFixed(2);
const cell = (t: Timing | undefined): string => (t === undefined ? '–' : `${perSecond(t)} (${t.wallMs.toFixed(0)} ms; CPU ${t.cpuMs.toFixed(0)} ms)`);
/** PyTorch's speed over nonadj's, wall and CPU: how many times faster PyTorch is (1 = even). */
const ratio = (ours: Timing, theirs: Timing | undefined): string =>
  theirs === undefined ? '–' : `${(ours.wallMs / theirs.wallMs).toFixed(2)}× (CPU ${(ours.cpuMs / theirs.cpuMs).toFixed(2)}×)`;
const noTorch = SMOKE ? 'skipped (--smoke)' : 'skipped: no `python3` with torch (Debian `python3-torch`)';

console.log(`Machine: ${machineLine()}; tfjs-backend-wasm ${tf.version_core}, SIMD ${info.simd}; onnxruntime-node (training graphs, \`makeGradientEngine\`)${torch1 ? `; PyTorch ${torch1.torch}` : `; PyTorch ${noTorch}`}\n`);
console.log(`ModSegNet ${cfg.filters.join('/')}, ${cfg.size}×${cfg.size}×${cfg.k}, ${C} classes, CE + 5·Dice + NonAdjLoss (λ 1) from logits, Adam. One thread each; the step alone (no data loading):\n`);
console.log('| what | nonadj, tfjs wasm: per second (median wall; CPU) | nonadj, onnxruntime | PyTorch 1 thread | PyTorch 2 threads | tfjs time / PyTorch 1 thread | onnxruntime time / PyTorch 1 thread | onnxruntime / tfjs |');
console.log('|---|---|---|---|---|---|---|---:|');
const speedUp = (a: Timing, b: Timing): string => `${(a.wallMs / b.wallMs).toFixed(2)}× (${(b.cpuMs / a.cpuMs).toFixed(2)}×)`;
for (const [what, key, ours] of [['training step, batch 4 (steps/s)', 'step', step], ['semi-supervised step, 4 labelled + 12 unlabelled (steps/s)', 'semi', semi]] as const) {
  const o = onnx[key];
  console.log(`| ${what} | ${cell(ours)} | ${cell(o)} | ${cell(torch1?.[key])} | ${cell(torch2?.[key])} | ${ratio(ours, torch1?.[key])} | ${ratio(o, torch1?.[key])} | ${speedUp(ours, o)} faster |`);
}
console.log(`| inference, ${nx}×${ny}×${nz} brain, ${ny} coronal slices, tfjs (volumes/s; onnxruntime: \`npm run bench -- inferenceEngine\`) | ${cell(infer)} | – | ${cell(torch1?.infer)} | ${cell(torch2?.infer)} | ${ratio(infer, torch1?.infer)} | – | – |`);
console.log("\nRatios: nonadj time over PyTorch time (above 1: PyTorch is faster). PyTorch's CPU time with 2 threads adds both threads. onnxruntime / tfjs: tfjs time over onnxruntime time (wall; CPU in brackets).");

const two = Math.min(2, availableParallelism());
const rounds = SMOKE ? 1 : 2;
console.log(`\n\`nonadj train\` on the demo's data (trainSegmenter, data included: sampling, augmentation 0.6, loss, update), median of steps ${warmSteps + 1}–${trainSteps} of each run × ${rounds} rounds (steady state; the warm-up steps 2–${warmSteps} in the second table):\n`);
console.log(`| what | engine | 1 worker: steps/s (wall; CPU) | ${two} workers | ${two} workers / 1 worker: wall (CPU per step) | PyTorch 1 thread (no data) | PyTorch 2 threads (no data) | nonadj 1 worker time / PyTorch 1 thread | nonadj ${two} workers time / PyTorch 2 threads |`);
console.log('|---|---|---|---|---:|---|---|---|---|');
const kinds = [['training step, batch 4', 'step'], ['semi-supervised step, 4 + 12 unlabelled', 'semi']] as const;
for (const [what, key] of kinds) {
  for (const engine of ['tfjs', 'onnx'] as const) {
    const a = trainRuns[`${engine}/1/${key}`];
    const b = trainRuns[`${engine}/${two}/${key}`];
    console.log(`| ${what} | ${engine === 'onnx' ? 'onnxruntime' : 'tfjs wasm'} | ${cell(a)} | ${cell(b)} | ${speedUp(a, b)} | ${cell(torch1?.[key])} | ${cell(torch2?.[key])} | ${ratio(a, torch1?.[key])} | ${ratio(b, torch2?.[key])} |`);
  }
}
console.log(`\nWarm-up: steps 2–${warmSteps} of each run (a fresh worker thread's heap is still being sized; this thread is warm from the parts above):\n`);
console.log(`| what | engine | 1 worker | ${two} workers | ${two} workers / 1 worker: wall (CPU per step) |`);
console.log('|---|---|---|---|---:|');
for (const [what, key] of kinds) {
  for (const engine of ['tfjs', 'onnx'] as const) {
    const a = trainRuns[`warm:${engine}/1/${key}`];
    const b = trainRuns[`warm:${engine}/${two}/${key}`];
    console.log(`| ${what} | ${engine === 'onnx' ? 'onnxruntime' : 'tfjs wasm'} | ${cell(a)} | ${cell(b)} | ${speedUp(a, b)} |`);
  }
}
console.log(`\nCPU: the process's (all threads), per step; with ${two} workers it adds the workers' and the sampler's. The CPU ratio is ${two} workers' CPU per step over 1 worker's: the cost of splitting the step.`);
