/**
 * One training step (forward + backward + Adam) of a small 2D U-Net on tfjs-backend-wasm with the
 * project's kernels (`registerWasmKernels()`), against two baselines run in the same process:
 * the previous project kernels (`registerBaselineKernels('convBackprop')` of `baselineKernels.ts`: XNNPACK-convolution backprops, stock data-movement
 * kernels) and wasm with only the must-have fixes (`'fixesOnly'`: missing/wrong kernels in their
 * simplest correct form, the stock naive Conv2DBackpropInput). If Debian's python3-torch is importable, the
 * same net is also timed in PyTorch with 1 thread (child process). Wall and process CPU time are both
 * shown: on a shared machine the CPU time is the fairer comparison (every engine here runs on one core).
 *
 * Net (NHWC; the PyTorch twin is NCHW): 4×1×S² input, two 3×3 conv+ReLU per level with widths 16/32/64,
 * 2×2 max-pool down, 2×2 stride-2 transposed conv up, skip concatenation, 1×1 conv to 20 classes,
 * softmax cross-entropy, Adam (lr 1e-3). S = 128 (64 with --smoke).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/initEngine.js';
import { registerWasmKernels } from '../src/engine/registerWasmKernels.js';
import { registerBaselineKernels, type BaselineKernelSet } from './baselineKernels.js';
import { machineLine, median, SMOKE } from './machine.js';

const B = 4;
const S = SMOKE ? 64 : 128;
const CLASSES = 20;
const WIDTHS = [16, 32, 64] as const;
const WARMUP = SMOKE ? 1 : 2;
const STEPS = SMOKE ? 1 : 5;

/** Seeded uniform values in [-0.5, 0.5) (mulberry32). */
function seeded(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

interface Param {
  name: string;
  shape: number[];
}

/** Parameter list of the U-Net, in a fixed order (He-style scaled seeded init). */
function unetParams(): Param[] {
  const p: Param[] = [];
  const conv = (name: string, k: number, cin: number, cout: number): void => {
    p.push({ name: `${name}.w`, shape: [k, k, cin, cout] }, { name: `${name}.b`, shape: [cout] });
  };
  const [w1, w2, w3] = WIDTHS;
  conv('e1a', 3, 1, w1);
  conv('e1b', 3, w1, w1);
  conv('e2a', 3, w1, w2);
  conv('e2b', 3, w2, w2);
  conv('ma', 3, w2, w3);
  conv('mb', 3, w3, w3);
  p.push({ name: 'u2.w', shape: [2, 2, w2, w3] }, { name: 'u2.b', shape: [w2] });
  conv('d2a', 3, 2 * w2, w2);
  conv('d2b', 3, w2, w2);
  p.push({ name: 'u1.w', shape: [2, 2, w1, w2] }, { name: 'u1.b', shape: [w1] });
  conv('d1a', 3, 2 * w1, w1);
  conv('d1b', 3, w1, w1);
  conv('head', 1, w1, CLASSES);
  return p;
}

interface TrainResult {
  msPerStep: number;
  cpuMsPerStep: number;
  losses: number[];
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function trainWasm(set: 'fast' | BaselineKernelSet): Promise<TrainResult> {
  if (set === 'fast') registerWasmKernels();
  else registerBaselineKernels(set);
  const params = unetParams();
  const v = new Map<string, tf.Variable>();
  params.forEach(({ name, shape }, i) => {
    const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : 1;
    const init = name.endsWith('.b') ? tf.zeros(shape) : tf.mul(tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), 1 + i), shape), Math.sqrt(12 * 2 / fanIn));
    v.set(name, tf.variable(init, true, `${set}-${name}`));
    init.dispose();
  });
  const x = tf.tensor4d(seeded(B * S * S, 1000), [B, S, S, 1]);
  const labels = tf.tensor3d(Array.from(seeded(B * S * S, 2000), (u) => Math.floor((u + 0.5) * CLASSES)), [B, S, S], 'int32');
  const target = tf.oneHot(labels, CLASSES, 1, 0, 'float32');
  const w = (n: string): tf.Tensor4D => v.get(`${n}.w`) as tf.Tensor4D;
  const b = (n: string): tf.Tensor1D => v.get(`${n}.b`) as tf.Tensor1D;
  const conv = (t: tf.Tensor4D, n: string): tf.Tensor4D => tf.relu(tf.add(tf.conv2d(t, w(n), 1, 'same'), b(n))) as tf.Tensor4D;
  const up = (t: tf.Tensor4D, n: string, cout: number): tf.Tensor4D =>
    tf.add(tf.conv2dTranspose(t, w(n), [B, t.shape[1] * 2, t.shape[2] * 2, cout], 2, 'valid'), b(n)) as tf.Tensor4D;
  const loss = (): tf.Scalar => {
    const e1 = conv(conv(x, 'e1a'), 'e1b');
    const e2 = conv(conv(tf.maxPool(e1, 2, 2, 'valid'), 'e2a'), 'e2b');
    const m = conv(conv(tf.maxPool(e2, 2, 2, 'valid'), 'ma'), 'mb');
    const d2 = conv(conv(tf.concat([up(m, 'u2', WIDTHS[1]), e2], 3), 'd2a'), 'd2b');
    const d1 = conv(conv(tf.concat([up(d2, 'u1', WIDTHS[0]), e1], 3), 'd1a'), 'd1b');
    const logits = tf.add(tf.conv2d(d1, w('head'), 1, 'valid'), b('head'));
    return tf.losses.softmaxCrossEntropy(target, logits) as tf.Scalar;
  };
  const opt = tf.train.adam(1e-3);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < WARMUP + STEPS; i++) {
    const t0 = performance.now();
    const c0 = cpuNow();
    const cost = opt.minimize(loss, true) as tf.Scalar;
    losses.push(cost.dataSync()[0]);
    if (i >= WARMUP) {
      times.push(performance.now() - t0);
      cpuTimes.push(cpuNow() - c0);
    }
    cost.dispose();
  }
  opt.dispose();
  tf.dispose([...v.values(), x, labels, target]);
  return { msPerStep: median(times), cpuMsPerStep: median(cpuTimes), losses };
}

const torchScript = String.raw`
import sys, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1); torch.manual_seed(0)
B, S, C, W = 4, int(sys.argv[1]), 20, (16, 32, 64)
warmup, steps = int(sys.argv[2]), int(sys.argv[3])
def block(i, o): return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.ReLU(), nn.Conv2d(o, o, 3, padding=1), nn.ReLU())
class UNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.e1, s.e2, s.m = block(1, W[0]), block(W[0], W[1]), block(W[1], W[2])
        s.u2, s.d2 = nn.ConvTranspose2d(W[2], W[1], 2, stride=2), block(2 * W[1], W[1])
        s.u1, s.d1 = nn.ConvTranspose2d(W[1], W[0], 2, stride=2), block(2 * W[0], W[0])
        s.head = nn.Conv2d(W[0], C, 1)
    def forward(s, x):
        e1 = s.e1(x); e2 = s.e2(F.max_pool2d(e1, 2)); m = s.m(F.max_pool2d(e2, 2))
        d2 = s.d2(torch.cat([s.u2(m), e2], 1)); d1 = s.d1(torch.cat([s.u1(d2), e1], 1))
        return s.head(d1)
net = UNet(); opt = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.rand(B, 1, S, S) - 0.5; y = torch.randint(0, C, (B, S, S))
times, cpu = [], []
for i in range(warmup + steps):
    t0, c0 = time.perf_counter(), time.process_time(); opt.zero_grad(); loss = F.cross_entropy(net(x), y); loss.backward(); opt.step()
    if i >= warmup: times.append((time.perf_counter() - t0) * 1000); cpu.append((time.process_time() - c0) * 1000)
times.sort(); cpu.sort(); print(times[len(times) // 2], cpu[len(cpu) // 2])
`;

/** PyTorch wall and CPU ms/step with 1 thread, or why it was skipped. */
function timeTorch(): { ms: number; cpuMs: number } | { skipped: string } {
  // A pyenv or venv python3 may come first on PATH without torch; Debian's python3-torch is in /usr/bin.
  const python = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (python === undefined) {
    return { skipped: 'python3-torch is not importable here (`python3 -c "import torch"` failed, /usr/bin/python3 too)' };
  }
  const run = spawnSync(python, ['-c', torchScript, String(S), String(WARMUP), String(STEPS)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  const [ms, cpuMs] = run.stdout.trim().split(/\s+/).map(Number.parseFloat);
  if (run.status !== 0 || !Number.isFinite(ms) || !Number.isFinite(cpuMs)) {
    return { skipped: `the PyTorch run failed: ${run.stderr.trim().split('\n').pop()}` };
  }
  return { ms, cpuMs };
}

const info = await initEngine({ backend: 'wasm' });
const fast = await trainWasm('fast');
const previous = await trainWasm('convBackprop');
const baseline = await trainWasm('fixesOnly');
registerWasmKernels();
const torch = timeTorch();

const lossDiff = (r: TrainResult): number => Math.max(...r.losses.map((l, i) => Math.abs(l - baseline.losses[i])));
const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
console.log(
  `Machine: ${machineLine()}; load average ${load} (1, 5, 15 min); tfjs ${tf.version_core} wasm (SIMD ${info.simd ? 'on' : 'off'}, 1 thread); ` +
    `U-Net ${B}×1×${S}², widths ${WIDTHS.join('/')}, ${CLASSES} classes, softmax CE + Adam; ` +
    `median of ${STEPS} step${STEPS > 1 ? 's' : ''} after ${WARMUP} warm-up\n`,
);
const row = (label: string, r: { msPerStep: number; cpuMsPerStep: number }): string =>
  `| ${label} | ${r.msPerStep.toFixed(0)} | ${r.cpuMsPerStep.toFixed(0)} | ${(r.cpuMsPerStep / baseline.cpuMsPerStep).toFixed(2)}× | ` +
  `${(r.cpuMsPerStep / previous.cpuMsPerStep).toFixed(2)}× |`;
console.log('| engine | wall ms/step | CPU ms/step | CPU vs fixes only | CPU vs previous kernels |');
console.log('|---|---:|---:|---:|---:|');
console.log(row('wasm, fixes only (stock Conv2DBackpropInput, im2col filter gradient)', baseline));
console.log(row("wasm, previous project kernels ('convBackprop': XNNPACK-convolution backprops)", previous));
console.log(row("wasm, project kernels ('fast': GEMM filter gradient on channels-first patches, heap data movement)", fast));
if ('ms' in torch) {
  console.log(row('PyTorch (1 thread)', { msPerStep: torch.ms, cpuMsPerStep: torch.cpuMs }));
  console.log(
    `\nwasm with the project kernels takes ${(fast.cpuMsPerStep / torch.cpuMs).toFixed(1)}× the PyTorch step's CPU time ` +
      `(${(fast.msPerStep / torch.ms).toFixed(1)}× its wall time); the previous kernels ${(previous.cpuMsPerStep / torch.cpuMs).toFixed(1)}×.`,
  );
} else {
  console.log(`\nPyTorch comparison skipped: ${torch.skipped}.`);
}
console.log(
  `\nLosses agree with the fixes-only set to ${lossDiff(fast).toExponential(1)} ('fast') and ${lossDiff(previous).toExponential(1)} ` +
    `('convBackprop') over ${fast.losses.length} steps (same seeded init).\n`,
);
