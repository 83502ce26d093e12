/**
 * Segmentation models: one training step (forward + backward + Adam, softmax cross-entropy) of the default
 * ModSegNet and of the small 3D U-Net on tfjs-backend-wasm with the project's kernels, against the stock wasm
 * kernels with only the missing/wrong ones fixed (`registerBaselineKernels('fixesOnly')` of `baselineKernels.ts`; tfjs-backend-cpu is
 * far too slow at this size: ~100 s per step) and against the same architectures in PyTorch with one thread (a
 * child process, when `python3 -c 'import torch'` works). Also whole-volume 2.5D inference of a 2 mm MNI volume.
 *
 * Times are medians of wall-clock milliseconds; the process CPU time per step is shown too, because it is
 * what the comparison means on a shared machine (both engines run on one core).
 *
 * `node --import tsx bench/models.bench.ts [--smoke]`
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initEngine } from '../src/engine/initEngine.js';
import { registerWasmKernels } from '../src/engine/registerWasmKernels.js';
import { registerBaselineKernels, type BaselineKernelSet } from './baselineKernels.js';
import { makeModSegNet } from '../src/model/makeModSegNet.js';
import { makeUNet3d } from '../src/model/makeUNet3d.js';
import { predictSlices } from '../src/infer/predictSlices.js';
import { findTorchPython, runTorchScript, TORCH_MODSEGNET } from './torchChild.js';
import { machineLine, SMOKE, timeWallAndCpu, type Timing } from './machine.js';

const cfg = SMOKE
  ? { batch: 1, size: 16, k: 3, classes: 5, filters: [4, 8], steps: 2, baselineSteps: 1, volume: [12, 10, 12] as const, pad: 16, patch: 8, filters3d: [2, 4], classes3d: 3 }
  : { batch: 4, size: 96, k: 7, classes: 117, filters: [32, 64, 128, 256], steps: 4, baselineSteps: 2, volume: [90, 108, 90] as const, pad: 96, patch: 48, filters3d: [8, 16, 32], classes3d: 10 };

function trainStep(model: LayersModel, inputShape: number[], classes: number): () => void {
  const x = tf.randomNormal(inputShape, 0, 1, 'float32', 3);
  const labels = tf.oneHot(tf.randomUniformInt(inputShape.slice(0, -1), 0, classes, 4) as tf.Tensor, classes);
  const optimizer = tf.train.adam(1e-3);
  return () => {
    const loss = optimizer.minimize(() => {
      const p = model.apply(x, { training: true }) as tf.Tensor;
      return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(tf.add(p, 1e-7))), -1))) as tf.Scalar;
    }, true) as tf.Scalar;
    loss.dataSync();
    loss.dispose();
  };
}

const torchScript = String.raw`
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
cfg = json.loads(sys.argv[1])
torch.set_num_threads(1)
torch.manual_seed(0)

${TORCH_MODSEGNET}

class UNet3d(nn.Module):
    # makeUNet3d in NCDHW: levels of 'convs' 3x3x3 conv+ReLU, max-pool; up = nearest x2 + 1x1x1 conv+ReLU, concat, convs.
    def __init__(self, classes, filters, convs):
        super().__init__()
        self.enc, self.up, self.dec = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        cin = 1
        for f in filters:
            layers = []
            for i in range(convs):
                layers += [nn.Conv3d(cin, f, 3, padding=1), nn.ReLU()]
                cin = f
            self.enc.append(nn.Sequential(*layers))
        for l in range(len(filters) - 2, -1, -1):
            self.up.append(nn.Sequential(nn.Conv3d(cin, filters[l], 1), nn.ReLU()))
            layers, c = [], 2 * filters[l]
            for i in range(convs):
                layers += [nn.Conv3d(c, filters[l], 3, padding=1), nn.ReLU()]
                c = filters[l]
            self.dec.append(nn.Sequential(*layers))
            cin = filters[l]
        self.cls = nn.Conv3d(filters[0], classes, 1)
    def forward(self, x):
        skips = []
        for l, e in enumerate(self.enc):
            x = e(x)
            if l < len(self.enc) - 1:
                skips.append(x)
                x = F.max_pool3d(x, 2)
        for u, d, s in zip(self.up, self.dec, reversed(skips)):
            x = d(torch.cat([u(F.interpolate(x, scale_factor=2, mode='nearest')), s], 1))
        return torch.softmax(self.cls(x), 1)

def timed(fn, warmup, steps):
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(steps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {'wall': sorted(wall)[len(wall) // 2], 'cpu': sorted(cpu)[len(cpu) // 2]}

def train(net, x, classes):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    y = F.one_hot(torch.randint(0, classes, (x.shape[0],) + tuple(x.shape[2:])), classes).movedim(-1, 1).float()
    def step():
        opt.zero_grad()
        loss = -(y * torch.log(net(x) + 1e-7)).sum(1).mean()
        loss.backward()
        opt.step()
    return step

out = {'torch': torch.__version__}
b, s, k, c = cfg['batch'], cfg['size'], cfg['k'], cfg['classes']
seg = ModSegNet(k, c, cfg['filters'], 2, softmax=True)
out['seg'] = timed(train(seg, torch.randn(b, k, s, s), c), 1, cfg['steps'])
seg.eval()
n, ib = cfg['slices'], 4
xs = torch.randn(ib, k, cfg['pad'], cfg['pad'])
def infer():
    with torch.no_grad():
        for start in range(0, n, ib):
            seg(xs[:min(ib, n - start)]).argmax(1)
out['infer'] = timed(infer, 1, 1)
p = cfg['patch']
out['unet3d'] = timed(train(UNet3d(cfg['classes3d'], cfg['filters3d'], 2), torch.randn(1, 1, p, p, p), cfg['classes3d']), 1, cfg['steps'])
print(json.dumps(out))
`;

interface TorchTimes {
  torch: string;
  seg: { wall: number; cpu: number };
  infer: { wall: number; cpu: number };
  unet3d: { wall: number; cpu: number };
}

function runTorch(python: string, slices: number): TorchTimes {
  return runTorchScript<TorchTimes>(python, torchScript, { ...cfg, slices }, { who: 'models.bench', threads: 1 });
}

const fmt = (t: Timing): string => `${t.wallMs.toFixed(0)} ms (CPU ${t.cpuMs.toFixed(0)})`;
/** nonadj's time over the baseline's: below 1 nonadj is faster, above 1 slower. */
const ratio = (nonadj: Timing, base: Timing): string =>
  `${(nonadj.wallMs / base.wallMs).toFixed(2)}× (CPU ${(nonadj.cpuMs / base.cpuMs).toFixed(2)}×)`;

async function main(): Promise<void> {
  const engine = await initEngine({ backend: 'wasm' });
  const { batch, size, k, classes, filters } = cfg;
  const seg = makeModSegNet({ inputShape: [size, size, k], numClasses: classes, filters, seed: 1 });
  const segShape = [batch, size, size, k];
  const stepOn = async (set: 'fast' | BaselineKernelSet, repeats: number): Promise<Timing> => {
    if (set === 'fast') registerWasmKernels();
    else registerBaselineKernels(set);
    return timeWallAndCpu(trainStep(seg, segShape, classes), repeats);
  };
  const segFast = await stepOn('fast', cfg.steps);
  const segStock = await stepOn('fixesOnly', cfg.baselineSteps);
  const segPrevious = await stepOn('convBackprop', cfg.steps);
  registerWasmKernels();

  // Whole-volume 2.5D inference: coronal slices (axis 1) of a 2 mm MNI grid, H = z and W = x, padded to the input.
  const [nx, ny, nz] = cfg.volume;
  const infer = makeModSegNet({ inputShape: [cfg.pad, cfg.pad, k], numClasses: classes, filters, seed: 2 });
  infer.setWeights(seg.getWeights());
  const volume = { dims: cfg.volume, data: tf.tidy(() => tf.randomNormal([nx * ny * nz], 0, 1, 'float32', 8)).dataSync() as Float32Array };
  const inferTime = await timeWallAndCpu(async () => void (await predictSlices(infer, volume, { axis: 1, batchSize: 4 })), 1);

  const p = cfg.patch;
  const unet = makeUNet3d({ inputShape: [p, p, p, 1], numClasses: cfg.classes3d, filters: cfg.filters3d, seed: 1 });
  const unetTime = await timeWallAndCpu(trainStep(unet, [1, p, p, p, 1], cfg.classes3d), cfg.steps);

  const python = SMOKE ? null : findTorchPython();
  const torch = python === null ? null : runTorch(python, ny);
  const t = (x: { wall: number; cpu: number }): Timing => ({ wallMs: x.wall, cpuMs: x.cpu });
  const noTorch = SMOKE ? 'skipped (--smoke)' : 'skipped: no `python3` with torch (Debian `python3-torch`)';

  console.log(`Machine: ${machineLine()}; tfjs-backend-wasm ${tf.version_core}, SIMD ${engine.simd}${torch ? `, PyTorch ${torch.torch} (1 thread)` : ''}\n`);
  console.log(`ModSegNet ${filters.join('/')}, input ${batch}×${size}×${size}×${k}, ${classes} classes; 3D U-Net ${cfg.filters3d.join('/')}, 1×${p}³, ${cfg.classes3d} classes.\n`);
  console.log('| measurement | nonadj (wasm, project kernels) | baseline | nonadj / baseline |');
  console.log('|---|---|---|---|');
  console.log(`| ModSegNet train step vs stock wasm kernels (missing/wrong ones fixed) | ${fmt(segFast)} | ${fmt(segStock)} | ${ratio(segFast, segStock)} |`);
  console.log(`| ModSegNet train step vs the previous project kernels ('convBackprop' set) | ${fmt(segFast)} | ${fmt(segPrevious)} | ${ratio(segFast, segPrevious)} |`);
  if (torch) {
    const ts = t(torch.seg);
    const ti = t(torch.infer);
    const tu = t(torch.unet3d);
    console.log(`| ModSegNet train step vs PyTorch 1 thread | ${fmt(segFast)} | ${fmt(ts)} | ${ratio(segFast, ts)} |`);
    console.log(`| ModSegNet train step, previous project kernels ('convBackprop'), vs PyTorch 1 thread | ${fmt(segPrevious)} | ${fmt(ts)} | ${ratio(segPrevious, ts)} |`);
    console.log(`| whole ${nx}×${ny}×${nz} volume, ${ny} coronal slices, argmax, vs PyTorch | ${fmt(inferTime)} | ${fmt(ti)} | ${ratio(inferTime, ti)} |`);
    console.log(`| 3D U-Net train step vs PyTorch 1 thread | ${fmt(unetTime)} | ${fmt(tu)} | ${ratio(unetTime, tu)} |`);
  } else {
    console.log(`| ModSegNet train step vs PyTorch | ${fmt(segFast)} | ${noTorch} | – |`);
    console.log(`| whole ${nx}×${ny}×${nz} volume, ${ny} coronal slices, argmax | ${fmt(inferTime)} | – | – |`);
    console.log(`| 3D U-Net train step | ${fmt(unetTime)} | – | – |`);
  }
  console.log('\nRatios are nonadj time / baseline time (below 1: nonadj is faster). Target against PyTorch: at most 3×.');
}

await main();
