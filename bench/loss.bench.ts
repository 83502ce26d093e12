/**
 * NonAdjLoss, loss + gradient to the logits (softmax → soft adjacency → masked sum → backward to the logits), on
 * the wasm backend set up by `initEngine`.
 *
 * Prior: the bundled AAL atlas (117 labels incl. background, 26-connectivity counts) padded with 18 labels that
 * never occur, to reach the reference's 135 classes (MICCAI 2012 challenge). Those 18 rows are entirely forbidden,
 * as the reference's unused classes would be.
 *
 * Rows: the fused path (`inputs: 'logits'`: the kernel returns the gradient w.r.t. the logits, no softmax backward),
 * the sparse path from probabilities (`tf.softmax` then the loss, tfjs runs the softmax backward), the dense
 * formulation (`implementation: 'dense'`, ordinary tfjs autodiff), and, when Debian's `python3-torch` is
 * importable, the reference's dense formulation in PyTorch with one thread in a child process (same sizes, same
 * prior). Sizes: 2D B=8, C=135, 128×128 (the reference's case) and 3D B=1, C=135, 64³.
 *
 * The machine this was written on is shared (2 cores, other jobs running), so timings swing with the load. The runs
 * are therefore interleaved: each round times every path once (PyTorch included, in a fresh child process), and
 * the speed-ups are medians of per-round ratios, which the load affects far less than the times themselves. The
 * load average is printed before and after. The dense 3D step takes tens of seconds on wasm (BatchMatMul with
 * transposeA), so it runs once, outside the rounds. `--smoke`: 2D 2×32², 3D 1×16³, 2 rounds, PyTorch once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/initEngine.js';
import { makeNonAdjacencyLoss, type NonAdjacencyLossOptions } from '../src/loss/makeNonAdjacencyLoss.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { countAdjacency } from '../src/prior/countAdjacency.js';
import { readNiftiFile } from '../src/volume/niftiFile.js';
import { machineLine, median, SMOKE } from './machine.js';

const C = 135;
const cases2d = SMOKE ? [2, 32, 32] : [8, 128, 128];
const cases3d = SMOKE ? [1, 16, 16, 16] : [1, 64, 64, 64];
const rounds = SMOKE ? 2 : 5;

async function aalPrior(): Promise<AdjacencyPrior> {
  const vol = await readNiftiFile(path.join(import.meta.dirname, '..', 'data', 'aal.nii.gz'));
  const L = 117;
  const { counts } = countAdjacency(vol.data, vol.dims, { numLabels: L });
  const padded = new Float64Array(C * C);
  for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) padded[i * C + j] = counts[i * L + j];
  return AdjacencyPrior.fromCounts(padded);
}

/**
 * One loss + gradient step from the logits, as a function to time. wasm kernels are synchronous, so the step is
 * finished when `tf.grad` returns; the gradient is not read back (PyTorch's is not either).
 */
function makeStep(prior: AdjacencyPrior, logits: tf.Tensor, options: NonAdjacencyLossOptions): () => void {
  const loss = makeNonAdjacencyLoss(prior, options);
  const f = options.inputs === 'logits' ? (x: tf.Tensor) => loss(x) : (x: tf.Tensor) => loss(tf.softmax(x));
  return () => tf.grad(f)(logits).dispose();
}

function timeOnce(step: () => void): number {
  const t0 = performance.now();
  step();
  return performance.now() - t0;
}

const TORCH_SCRIPT = String.raw`
import json, sys, time, torch
import torch.nn.functional as F
torch.set_num_threads(1)
cfg = json.load(open(sys.argv[1]))
C = cfg['C']
G = torch.tensor(cfg['allowed'], dtype=torch.float32).view(C, C)
Fm = 1 - G
nF = Fm.sum()
out = []
for shape in cfg['shapes']:
    torch.manual_seed(0)
    B, sp = shape[0], shape[1:]
    x = torch.randn(B, C, *sp, requires_grad=True)
    pool = F.avg_pool2d if len(sp) == 2 else F.avg_pool3d
    def step():
        P = torch.softmax(x, 1)
        Q = pool(P, 3, stride=1, padding=1, count_include_pad=True)
        N = P.numel() // C
        A = torch.matmul(P.transpose(0, 1).reshape(C, -1), Q.transpose(0, 1).reshape(C, -1).t()) / N
        loss = (A * Fm).sum() / nF
        g, = torch.autograd.grad(loss, x)
        return g
    step()
    ts = []
    for _ in range(cfg['n']):
        t0 = time.perf_counter(); step(); ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    out.append(ts[len(ts) // 2])
print(json.dumps(out))
`;

/** Finds a Python with torch once; null (with the reason) when there is none. */
function findTorch(): { python: string } | { skipped: string } {
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return { python };
  }
  return { skipped: 'PyTorch not importable (apt-get install python3-torch to compare)' };
}

/** The reference formulation in PyTorch (channels-first, dense), one thread: median ms of `n` steps per shape. */
function runTorch(python: string, allowed: Uint8Array, shapes: number[][], n: number): number[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nonadj-loss-bench-'));
  try {
    const cfg = path.join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ C, allowed: Array.from(allowed), shapes, n }));
    const run = spawnSync(python, ['-c', TORCH_SCRIPT, cfg], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`PyTorch run failed: ${run.stderr.trim().split('\n').pop()}`);
    return JSON.parse(run.stdout) as number[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(', ');
const loadBefore = load();
const info = await initEngine({ backend: 'wasm' });
const prior = await aalPrior();
const allowed = prior.allowedMask();
const nnz = allowed.reduce((a, b) => a + b, 0);

const [B, H, W] = cases2d;
const [B3, D3, H3, W3] = cases3d;
const logits2d = tf.randomNormal([B, H, W, C], 0, 2, 'float32', 1);
const logits3d = tf.randomNormal([B3, D3, H3, W3, C], 0, 2, 'float32', 2);
const shape2d = `2D ${B}×${H}×${W}×${C}`;
const shape3d = `3D ${B3}×${D3}×${H3}×${W3}×${C}`;

interface Variant {
  name: string;
  shape: string;
  /** Index of the PyTorch shape this compares with. */
  torch: 0 | 1;
  step: () => void;
  ms: number[];
}
const variant = (name: string, shape: string, torch: 0 | 1, logits: tf.Tensor, options: NonAdjacencyLossOptions): Variant => ({
  name,
  shape,
  torch,
  step: makeStep(prior, logits, options),
  ms: [],
});
const variants: Variant[] = [
  variant('fused from logits, 1 thread', shape2d, 0, logits2d, { implementation: 'sparse', inputs: 'logits' }),
  variant('sparse from probabilities (tf.softmax first), 1 thread', shape2d, 0, logits2d, { implementation: 'sparse' }),
  variant('dense (tfjs autodiff)', shape2d, 0, logits2d, { implementation: 'dense' }),
  variant('fused from logits, 1 thread', shape3d, 1, logits3d, { implementation: 'sparse', inputs: 'logits' }),
  variant('sparse from probabilities (tf.softmax first), 1 thread', shape3d, 1, logits3d, { implementation: 'sparse' }),
];
for (const v of variants) v.step(); // warm-up (JIT, wasm memory growth)

const torchFound = findTorch();
const torchMs: number[][] = [];
for (let r = 0; r < rounds; r++) {
  for (const v of variants) v.ms.push(timeOnce(v.step));
  if ('python' in torchFound && (!SMOKE || r === 0)) torchMs.push(runTorch(torchFound.python, allowed, [[B, H, W], [B3, D3, H3, W3]], 1));
}
// One unwarmed run, outside the rounds: on wasm the dense 3D step is dominated by BatchMatMul with transposeA.
const dense3d = timeOnce(makeStep(prior, logits3d, { implementation: 'dense' }));
logits2d.dispose();
logits3d.dispose();
const loadAfter = load();

/** Median over rounds of `a[r] / b[r]` (rounds without a PyTorch run are skipped). */
const ratio = (a: number[], b: number[]): string => {
  const n = Math.min(a.length, b.length);
  return n === 0 ? '–' : `${median(Array.from({ length: n }, (_, r) => a[r] / b[r])).toFixed(2)}×`;
};
const fused = (shape: string): Variant => variants.find((v) => v.shape === shape && v.name.startsWith('fused from logits, 1'))!;

console.log(`Machine: ${machineLine()}\n`);
console.log(
  `Backend ${info.backend}${info.simd ? ' (SIMD)' : ''}; prior: AAL (117 labels) + 18 empty rows = ${C} classes, ` +
    `${nnz} of ${C * C} ordered pairs allowed (${((100 * nnz) / (C * C)).toFixed(1)} %). ` +
    `One step = softmax + loss + gradient to the logits; ${rounds} interleaved rounds. ` +
    `Load average (1, 5, 15 min): ${loadBefore} before, ${loadAfter} after.\n`,
);
console.log('| case | path | median ms | min ms | fused is faster by | PyTorch / this path |');
console.log('|---|---|---:|---:|---:|---:|');
for (const v of variants) {
  const f = fused(v.shape);
  const vsTorch = torchMs.length > 0 ? ratio(torchMs.map((t) => t[v.torch]), v.ms) : '–';
  console.log(
    `| ${v.shape} | ${v.name} | ${median(v.ms).toFixed(0)} | ${Math.min(...v.ms).toFixed(0)} | ${v === f ? '–' : ratio(v.ms, f.ms)} | ${vsTorch} |`,
  );
}
const f3 = fused(shape3d);
console.log(`| ${shape3d} | dense (tfjs autodiff), 1 unwarmed run | ${dense3d.toFixed(0)} | – | ${(dense3d / median(f3.ms)).toFixed(2)}× (vs median) | – |`);
console.log();
if ('skipped' in torchFound) {
  console.log(`PyTorch comparison skipped: ${torchFound.skipped}.`);
} else {
  const t2 = torchMs.map((t) => t[0]);
  const t3 = torchMs.map((t) => t[1]);
  console.log(
    `PyTorch (${torchFound.python}, torch.set_num_threads(1), dense reference formulation, one step per round after a ` +
      `warm-up): ${shape2d} median ${median(t2).toFixed(0)} ms (min ${Math.min(...t2).toFixed(0)}), ` +
      `${shape3d} median ${median(t3).toFixed(0)} ms (min ${Math.min(...t3).toFixed(0)}). ` +
      `"PyTorch / this path" > 1 means this path is faster.`,
  );
}
