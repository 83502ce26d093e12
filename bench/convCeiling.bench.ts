/**
 * The engine ceiling of the ModSegNet step: per 3×3 convolution of the demo's ModSegNet (filters 16/32/64/128,
 * batch 4, 96² × 7 slices), the time of the forward convolution, of its input gradient (dx) and of its weight gradient
 * (dW) on tfjs-backend-wasm (XNNPACK, SIMD, 1 thread; the backprops are the project's kernels of `src/engine/kernels/`)
 * and in PyTorch with 1 thread (oneDNN; `aten::convolution_backward` for dx and dW), and of a plain GEMM of the same
 * FLOPs on each engine (M = B·H·W pixels, K = 9·Ci, N = Co: the im2col form of the convolution; on wasm an XNNPACK
 * 1×1 convolution, on PyTorch a 1×1 convolution too and `torch.mm`). A GEMM is the fastest thing an engine does with
 * those FLOPs, so "convolution / GEMM" on wasm tells what the kernels leave on the table, and "wasm GEMM / PyTorch
 * GEMM" what the engine itself costs (128-bit wasm SIMD without FMA against oneDNN's AVX2/AVX-512 JIT).
 *
 * Times are the minimum process CPU time over the repeats (the machine is shared: the minimum is the least
 * disturbed run), after warm-up. `npm run bench -- convCeiling` (`--smoke`: one repeat, the first three layers).
 * PyTorch runs in a child process (`/usr/bin/python3` with Debian's python3-torch); without it those columns are
 * skipped.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/initEngine.js';
import { cpuNow, machineLine, SMOKE } from './machine.js';

const B = 4;
const SIZE = 96;
const K = 7;
const FILTERS = [16, 32, 64, 128];
const WARMUP = SMOKE ? 1 : 2;
const REPEATS = SMOKE ? 1 : 7;

/** One 3×3 'same' convolution of ModSegNet: input `[B, h, h, ci]`, `co` filters. */
interface Layer {
  name: string;
  h: number;
  ci: number;
  co: number;
}

/** The 3×3 convolutions of `makeModSegNet` (2 per level, 1 in decoder 0), in forward order. */
function modSegNetConvs(): Layer[] {
  const out: Layer[] = [];
  let ci = K;
  for (let l = 0; l < FILTERS.length; l++) {
    const h = SIZE >> l;
    for (let i = 0; i < 2; i++) {
      out.push({ name: `enc${l}_conv${i}`, h, ci, co: FILTERS[l] });
      ci = FILTERS[l];
    }
  }
  for (let l = FILTERS.length - 1; l >= 0; l--) {
    const h = SIZE >> l;
    ci = 2 * FILTERS[l]; // unpooled map + skip
    const n = l === 0 ? 1 : 2;
    for (let i = 0; i < n; i++) {
      const co = i === n - 1 ? FILTERS[Math.max(l - 1, 0)] : FILTERS[l];
      out.push({ name: `dec${l}_conv${i}`, h, ci, co });
      ci = co;
    }
  }
  return out;
}

/** FLOPs (2 per multiply-add) of the forward convolution, as of each of its two gradients. */
const flops = (l: Layer): number => 2 * B * l.h * l.h * 9 * l.ci * l.co;

/** Minimum CPU ms of `fn` over the repeats. */
function minCpu(fn: () => tf.Tensor): number {
  let best = Infinity;
  for (let i = 0; i < WARMUP + REPEATS; i++) {
    const c0 = cpuNow();
    const out = fn();
    const dt = cpuNow() - c0;
    out.dispose();
    if (i >= WARMUP) best = Math.min(best, dt);
  }
  return best;
}

interface Times {
  conv: number;
  dx: number;
  dw: number;
  gemm: number;
}

function timeWasm(l: Layer): Times {
  const x = tf.randomNormal([B, l.h, l.h, l.ci]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, l.ci, l.co]) as tf.Tensor4D;
  const dy = tf.randomNormal([B, l.h, l.h, l.co]) as tf.Tensor4D;
  const m = B * l.h * l.h;
  const lhs = tf.randomNormal([m, 1, 1, 9 * l.ci]) as tf.Tensor4D;
  const rhs = tf.randomNormal([1, 1, 9 * l.ci, l.co]) as tf.Tensor4D;
  const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
  const t: Times = {
    conv: minCpu(() => tf.conv2d(x, w, 1, 'same')),
    dx: minCpu(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor),
    dw: minCpu(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor),
    gemm: minCpu(() => tf.conv2d(lhs, rhs, 1, 'valid')),
  };
  tf.dispose([x, w, dy, lhs, rhs]);
  return t;
}

const TORCH_SCRIPT = String.raw`
import json, sys, time, torch, torch.nn.functional as F
torch.set_num_threads(1)
cfg = json.loads(sys.argv[1]); B, warm, reps = cfg['B'], cfg['warmup'], cfg['repeats']
def best(fn):
    t = float('inf')
    for i in range(warm + reps):
        c0 = time.process_time(); fn(); dt = (time.process_time() - c0) * 1000
        if i >= warm: t = min(t, dt)
    return t
out = []
with torch.no_grad():
    for l in cfg['layers']:
        h, ci, co = l['h'], l['ci'], l['co']
        x = torch.randn(B, ci, h, h); w = torch.randn(co, ci, 3, 3); dy = torch.randn(B, co, h, h)
        m = B * h * h
        a = torch.randn(m, 9 * ci); b = torch.randn(9 * ci, co)
        a4 = torch.randn(1, 9 * ci, m, 1); w1 = torch.randn(co, 9 * ci, 1, 1)
        cb = lambda mask: torch.ops.aten.convolution_backward(dy, x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, mask)
        out.append({
            'conv': best(lambda: F.conv2d(x, w, padding=1)),
            'dx': best(lambda: cb([True, False, False])),
            'dw': best(lambda: cb([False, True, False])),
            'gemm': best(lambda: F.conv2d(a4, w1)),
            'mm': best(lambda: torch.mm(a, b)),
        })
print(json.dumps({'torch': torch.__version__, 'rows': out}))
`;

type TorchTimes = Times & { mm: number };

function timeTorch(layers: Layer[]): { version: string; rows: TorchTimes[] } | { skipped: string } {
  const python = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (python === undefined) return { skipped: 'python3-torch is not importable (`python3 -c "import torch"` failed, /usr/bin/python3 too)' };
  const cfg = JSON.stringify({ B, warmup: WARMUP, repeats: REPEATS, layers });
  const run = spawnSync(python, ['-c', TORCH_SCRIPT, cfg], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' }, maxBuffer: 1 << 20 });
  if (run.status !== 0) return { skipped: `the PyTorch run failed: ${run.stderr.trim().split('\n').pop()}` };
  const parsed = JSON.parse(run.stdout) as { torch: string; rows: TorchTimes[] };
  return { version: parsed.torch, rows: parsed.rows };
}

const info = await initEngine({ backend: 'wasm' });
const layers = SMOKE ? modSegNetConvs().slice(0, 3) : modSegNetConvs();
const wasm = layers.map(timeWasm);
const torch = timeTorch(layers);
const load = os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(', ');
console.log(
  `Machine: ${machineLine()}; load average ${load}; tfjs-backend-wasm ${tf.version_core} (SIMD ${info.simd ? 'on' : 'off'}, 1 thread)` +
    `${'version' in torch ? `; PyTorch ${torch.version} (1 thread)` : ''}. ModSegNet ${FILTERS.join('/')}, batch ${B}, ${SIZE}² × ${K}; ` +
    `minimum CPU ms of ${REPEATS} after ${WARMUP} warm-up.\n`,
);
const gf = (f: number, ms: number): string => (f / ms / 1e6).toFixed(1);
const cell = (f: number, ms: number): string => `${ms.toFixed(2)} (${gf(f, ms)})`;
const sum = (rows: Times[], k: keyof Times): number => rows.reduce((a, r) => a + r[k], 0);
const totalFlops = layers.reduce((a, l) => a + flops(l), 0);

console.log('Forward convolution and a GEMM of the same FLOPs (M = B·H·W, K = 9·Ci, N = Co): CPU ms (GFLOP/s).\n');
if ('rows' in torch) {
  console.log('| layer | B×H²×Ci→Co | MFLOP | wasm conv | wasm GEMM | PyTorch conv | PyTorch GEMM (1×1 conv) | torch.mm | conv wasm/PyTorch | GEMM wasm/PyTorch | wasm conv/GEMM | PyTorch conv/GEMM |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
} else {
  console.log('| layer | B×H²×Ci→Co | MFLOP | wasm conv | wasm GEMM | wasm conv/GEMM |');
  console.log('|---|---|---:|---:|---:|---:|');
}
layers.forEach((l, i) => {
  const f = flops(l);
  const w = wasm[i];
  const head = `| ${l.name} | ${B}×${l.h}²×${l.ci}→${l.co} | ${(f / 1e6).toFixed(0)} | ${cell(f, w.conv)} | ${cell(f, w.gemm)} |`;
  if ('rows' in torch) {
    const t = torch.rows[i];
    console.log(
      `${head} ${cell(f, t.conv)} | ${cell(f, t.gemm)} | ${cell(f, t.mm)} | ${(w.conv / t.conv).toFixed(2)}× | ${(w.gemm / t.gemm).toFixed(2)}× | ` +
        `${(w.conv / w.gemm).toFixed(2)} | ${(t.conv / t.gemm).toFixed(2)} |`,
    );
  } else {
    console.log(`${head} ${(w.conv / w.gemm).toFixed(2)} |`);
  }
});
{
  const [wc, wg] = [sum(wasm, 'conv'), sum(wasm, 'gemm')];
  const head = `| **all ${layers.length}** | | ${(totalFlops / 1e6).toFixed(0)} | ${cell(totalFlops, wc)} | ${cell(totalFlops, wg)} |`;
  if ('rows' in torch) {
    const [tc, tg] = [sum(torch.rows, 'conv'), sum(torch.rows, 'gemm')];
    const tm = torch.rows.reduce((a, r) => a + r.mm, 0);
    console.log(`${head} ${cell(totalFlops, tc)} | ${cell(totalFlops, tg)} | ${cell(totalFlops, tm)} | ${(wc / tc).toFixed(2)}× | ${(wg / tg).toFixed(2)}× | ${(wc / wg).toFixed(2)} | ${(tc / tg).toFixed(2)} |`);
  } else {
    console.log(`${head} ${(wc / wg).toFixed(2)} |`);
  }
}

console.log('\nGradients: input gradient dx and weight gradient dW (wasm: the project kernels), CPU ms (GFLOP/s).\n');
if ('rows' in torch) {
  console.log('| layer | wasm dx | PyTorch dx | dx wasm/PyTorch | wasm dW | PyTorch dW | dW wasm/PyTorch | wasm dx/GEMM | wasm dW/GEMM |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
} else {
  console.log('| layer | wasm dx | wasm dW | wasm dx/GEMM | wasm dW/GEMM |');
  console.log('|---|---:|---:|---:|---:|');
}
const gradRow = (name: string, f: number, w: Times, t: Times | undefined): string =>
  t === undefined
    ? `| ${name} | ${cell(f, w.dx)} | ${cell(f, w.dw)} | ${(w.dx / w.gemm).toFixed(2)} | ${(w.dw / w.gemm).toFixed(2)} |`
    : `| ${name} | ${cell(f, w.dx)} | ${cell(f, t.dx)} | ${(w.dx / t.dx).toFixed(2)}× | ${cell(f, w.dw)} | ${cell(f, t.dw)} | ${(w.dw / t.dw).toFixed(2)}× | ` +
      `${(w.dx / w.gemm).toFixed(2)} | ${(w.dw / w.gemm).toFixed(2)} |`;
layers.forEach((l, i) => console.log(gradRow(l.name, flops(l), wasm[i], 'rows' in torch ? torch.rows[i] : undefined)));
const totals = (rows: Times[]): Times => ({ conv: sum(rows, 'conv'), dx: sum(rows, 'dx'), dw: sum(rows, 'dw'), gemm: sum(rows, 'gemm') });
console.log(gradRow(`**all ${layers.length}**`, totalFlops, totals(wasm), 'rows' in torch ? totals(torch.rows) : undefined));

const w3 = totals(wasm);
const wasmAll = w3.conv + w3.dx + w3.dw;
console.log(
  `\nwasm, forward + dx + dW of the ${layers.length} layers: ${wasmAll.toFixed(0)} ms CPU; the same FLOPs at the wasm GEMM's rate: ` +
    `${(3 * w3.gemm).toFixed(0)} ms.`,
);
if ('rows' in torch) {
  const t3 = totals(torch.rows);
  const torchAll = t3.conv + t3.dx + t3.dw;
  console.log(
    `PyTorch: ${torchAll.toFixed(0)} ms CPU (GEMM rate: ${(3 * t3.gemm).toFixed(0)} ms). Ratio wasm/PyTorch: ${(wasmAll / torchAll).toFixed(2)}× ` +
      `for the convolutions, ${(w3.gemm / t3.gemm).toFixed(2)}× for the GEMMs alone.`,
  );
  // The ceiling: each engine's fastest way to do a layer's forward FLOPs (convolution or GEMM), summed.
  const wBest = wasm.reduce((a, w) => a + Math.min(w.conv, w.gemm), 0);
  const tBest = torch.rows.reduce((a, t) => a + Math.min(t.conv, t.gemm, t.mm), 0);
  console.log(
    `Engine ceiling (per layer, each engine's fastest of convolution and GEMM, summed): wasm ${wBest.toFixed(1)} ms ` +
      `(${gf(totalFlops, wBest)} GFLOP/s), PyTorch ${tBest.toFixed(1)} ms (${gf(totalFlops, tBest)} GFLOP/s): ${(wBest / tBest).toFixed(2)}×. ` +
      `At the wasm rate, forward + dx + dW of these layers cannot take less than ~${(3 * wBest).toFixed(0)} ms.`,
  );
} else {
  console.log(`PyTorch comparison skipped: ${torch.skipped}.`);
}
