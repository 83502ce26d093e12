/**
 * NonAdjLoss, loss + gradient from the logits (softmax → soft adjacency → masked sum → backward to the logits),
 * on the wasm backend set up by `initEngine`.
 *
 * Prior: the bundled AAL atlas (117 labels incl. background, 26-connectivity counts) padded with 18 labels that
 * never occur, to reach the reference's 135 classes (MICCAI 2012 challenge). Those 18 rows are entirely forbidden,
 * as the reference's unused classes would be.
 *
 * Baselines run alongside: the dense formulation (`implementation: 'dense'`, ordinary tfjs autodiff) in this
 * process, and, when Debian's `python3-torch` is importable, the reference's dense formulation in PyTorch with one
 * thread in a child process (same sizes, same prior). Sizes: 2D B=8, C=135, 128×128 (the reference's case) and
 * 3D B=1, C=135, 64³. `--smoke`: 2D 2×32², 3D 1×16³, a few runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/initEngine.js';
import { makeNonAdjacencyLoss, type NonAdjacencyLossOptions } from '../src/loss/makeNonAdjacencyLoss.js';
import { SparseHelperThread } from '../src/loss/sparseHelperThread.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { countAdjacency } from '../src/prior/countAdjacency.js';
import { readNiftiFile } from '../src/volume/niftiFile.js';
import { machineLine, median, SMOKE, timeRuns } from './machine.js';

const C = 135;
const cases2d = SMOKE ? [2, 32, 32] : [8, 128, 128];
const cases3d = SMOKE ? [1, 16, 16, 16] : [1, 64, 64, 64];
const repeats = SMOKE ? 2 : 5;

async function aalPrior(): Promise<AdjacencyPrior> {
  const vol = await readNiftiFile(path.join(import.meta.dirname, '..', 'data', 'aal.nii.gz'));
  const L = 117;
  const { counts } = countAdjacency(vol.data, vol.dims, { numLabels: L });
  const padded = new Float64Array(C * C);
  for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) padded[i * C + j] = counts[i * L + j];
  return AdjacencyPrior.fromCounts(padded);
}

/** Median ms of one loss + gradient step from the logits (gradient read back, so all work is done). */
async function timeStep(prior: AdjacencyPrior, logits: tf.Tensor, options: NonAdjacencyLossOptions, n: number, warmup = 1): Promise<number> {
  const loss = makeNonAdjacencyLoss(prior, options);
  const step = (): void => {
    const g = tf.grad((x: tf.Tensor) => loss(tf.softmax(x)))(logits);
    g.dataSync();
    g.dispose();
  };
  return median(await timeRuns(step, n, warmup));
}

/** The reference formulation in PyTorch (channels-first, dense), one thread; null when torch is not importable. */
function pytorch(allowed: Uint8Array, shapes: number[][], n: number): { ms: number[]; python: string } | { skipped: string } {
  const script = String.raw`
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
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nonadj-loss-bench-'));
    try {
      const cfg = path.join(dir, 'cfg.json');
      writeFileSync(cfg, JSON.stringify({ C, allowed: Array.from(allowed), shapes, n }));
      const run = spawnSync(python, ['-c', script, cfg], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (run.status !== 0) return { skipped: `PyTorch run failed: ${run.stderr.trim().split('\n').pop()}` };
      return { ms: JSON.parse(run.stdout) as number[], python };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { skipped: 'PyTorch not importable (apt-get install python3-torch to compare)' };
}

const info = await initEngine({ backend: 'wasm' });
const prior = await aalPrior();
const allowed = prior.allowedMask();
const nnz = allowed.reduce((a, b) => a + b, 0);

const [B, H, W] = cases2d;
const [B3, D3, H3, W3] = cases3d;
const logits2d = tf.randomNormal([B, H, W, C], 0, 2, 'float32', 1);
const logits3d = tf.randomNormal([B3, D3, H3, W3, C], 0, 2, 'float32', 2);

const rows: Array<[string, number, string]> = [];
const sparse2d = await timeStep(prior, logits2d, { implementation: 'sparse', threads: 'auto' }, repeats);
const sparse2d1 = await timeStep(prior, logits2d, { implementation: 'sparse', threads: 1 }, repeats);
const dense2d = await timeStep(prior, logits2d, { implementation: 'dense' }, SMOKE ? 1 : 3);
const sparse3d = await timeStep(prior, logits3d, { implementation: 'sparse', threads: 'auto' }, repeats);
const sparse3d1 = await timeStep(prior, logits3d, { implementation: 'sparse', threads: 1 }, repeats);
// One unwarmed run: on wasm the dense 3D step is dominated by BatchMatMul with transposeA (tens of seconds).
const dense3d = await timeStep(prior, logits3d, { implementation: 'dense' }, 1, SMOKE ? 1 : 0);
logits2d.dispose();
logits3d.dispose();
await SparseHelperThread.close();

const torch = pytorch(allowed, [[B, H, W], [B3, D3, H3, W3]], SMOKE ? 2 : 5);
const x = (a: number, b: number): string => `${(b / a).toFixed(2)}×`;
const shape2d = `2D ${B}×${H}×${W}×${C}`;
const shape3d = `3D ${B3}×${D3}×${H3}×${W3}×${C}`;
rows.push([`${shape2d} dense (tfjs autodiff), baseline`, dense2d, '1.00×']);
rows.push([`${shape2d} sparse, 1 thread`, sparse2d1, x(sparse2d1, dense2d)]);
rows.push([`${shape2d} sparse, auto threads`, sparse2d, x(sparse2d, dense2d)]);
rows.push([`${shape3d} dense (tfjs autodiff), baseline`, dense3d, '1.00×']);
rows.push([`${shape3d} sparse, 1 thread`, sparse3d1, x(sparse3d1, dense3d)]);
rows.push([`${shape3d} sparse, auto threads`, sparse3d, x(sparse3d, dense3d)]);

console.log(`Machine: ${machineLine()}\n`);
console.log(
  `Backend ${info.backend}${info.simd ? ' (SIMD)' : ''}; prior: AAL (117 labels) + 18 empty rows = ${C} classes, ` +
    `${nnz} of ${C * C} ordered pairs allowed (${((100 * nnz) / (C * C)).toFixed(1)} %). ` +
    `One step = softmax + loss + gradient to the logits, median of ${repeats} runs.\n`,
);
console.log('| case | ms | speed-up vs dense tfjs |');
console.log('|---|---:|---:|');
for (const [name, ms, ratio] of rows) console.log(`| ${name} | ${ms.toFixed(0)} | ${ratio} |`);
console.log();
if ('skipped' in torch) {
  console.log(`PyTorch comparison skipped: ${torch.skipped}.`);
} else {
  const [t2, t3] = torch.ms;
  console.log('| case | PyTorch 1 thread (dense reference), ms | nonadj sparse 1 thread, ms | speed-up | sparse auto threads, ms | speed-up |');
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(`| ${shape2d} | ${t2.toFixed(0)} | ${sparse2d1.toFixed(0)} | ${x(sparse2d1, t2)} | ${sparse2d.toFixed(0)} | ${x(sparse2d, t2)} |`);
  console.log(`| ${shape3d} | ${t3.toFixed(0)} | ${sparse3d1.toFixed(0)} | ${x(sparse3d1, t3)} | ${sparse3d.toFixed(0)} | ${x(sparse3d, t3)} |`);
  console.log(`\n(PyTorch from ${torch.python}, torch.set_num_threads(1).)`);
}
