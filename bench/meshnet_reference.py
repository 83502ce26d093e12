#!/usr/bin/python3
"""Independent PyTorch reference for brainchop's MeshNet models (dev only, not shipped; nonadj never runs Python):
the network nonadj's TensorFlow.js runs are compared with, for inference (meshnetInference.bench.ts), for a
fine-tune step (meshnetStep.bench.ts) and for labels to fine-tune on (brainchop/fineTuneColin27.ts).

Debian packages: python3-torch, python3-nibabel (apt-get install python3-torch python3-nibabel).

The network is built from a tfjs layers model.json + its weight shards (only Conv3D and activations): a Conv3D
kernel [kd, kh, kw, in, out] becomes PyTorch's [out, in, kd, kh, kw]; tensors are NCDHW here and NDHWC in tfjs,
with D, H, W in the same order.

Subcommands:
  conform <in.nii.gz> <out.nii.gz>
      256^3, 1 mm, LIA with nibabel.processing.conform (trilinear), rounded to uint8 as FreeSurfer's conform
      writes it (brainchop reads uint8). A stand-in until `nonadj conform` exists.
  torch <model.json> <conformed.nii.gz> <labels.nii.gz> [--threads N] [--crop MARGIN] [--box x0,y0,z0,sx,sy,sz]
        [--logits out.f32]
      Build the network in torch from model.json + its weights (only Conv3D and activations), prepare the image as
      brainchop does (quantile 0.05/0.95 over every voxel at brainchop's indices; array order x, y, z fed as
      D, H, W), optionally crop to the head's box with a margin (the rule of nonadj's headBoundingBox), run it,
      write the labels on the full grid. --box runs on a sub-box of the prepared image only (for logit parity) and
      --logits writes that run's logits (float32, voxel-major x fastest, channels last). Prints one JSON line:
      seconds (wall) and CPU seconds of the network run, peak RSS of the process.
  compare <labels.nii.gz> [<other_labels.nii.gz>]
      Thalamus Dice of the labels (model class 5, 'Thalamus-Proper*', left + right) against AAL's (codes 77, 78 in
      data/aal.nii.gz, left + right), after nearest-neighbour resampling onto AAL's grid; with a second label map,
      the share of voxels where the two agree (on the conformed grid).
  step --threads N [--patch 64] [--steps 2] [--warmup 1] [--model DIR]
      one fine-tune step (forward, softmax cross-entropy, backward, Adam) on a [1, 1, P, P, P] patch; prints JSON
      {"torch", "threads", "wall_ms": median, "cpu_ms": median}. Without --model the weights are seeded random
      (model30chan50cls's architecture): the time does not depend on their values.
  predict --model DIR --input X.f32 --dims D H W --output Y.i32 [--threads N]
      arg-max labels of the network over a whole [D, H, W] float32 volume (C order, already scaled as brainchop
      does); writes int32 labels in the same order.
"""
import argparse
import json
import os
import resource
import sys
import time

import nibabel as nib
import numpy as np


def conform(src, dst):
    import nibabel.processing as nip
    img = nib.load(src)
    out = nip.conform(img, out_shape=(256, 256, 256), voxel_size=(1.0, 1.0, 1.0), order=1, orientation='LIA')
    data = np.clip(np.rint(out.get_fdata()), 0, 255).astype(np.uint8)
    nib.save(nib.Nifti1Image(data, out.affine), dst)


def quantile_params(a, lower=0.05, upper=0.95):
    s = np.sort(a.ravel().astype(np.float64))
    n = s.size
    lo = s[min(n - 1, int(np.floor(n * lower)))]
    hi = s[max(0, int(np.ceil(n * upper)) - 1)]
    return lo, hi - lo


def head_box(raw, margin):
    """The same rule as src/volume/headBoundingBox.ts: voxels above lo + 0.1 (hi - lo), lo and hi the sorted values
    at floor(0.01 N) and floor(0.99 N); their bounding box grown by `margin` voxels, clipped to the grid."""
    s = np.sort(raw.ravel().astype(np.float64))
    n = s.size
    lo, hi = s[int(np.floor(0.01 * n))], s[min(n - 1, int(np.floor(0.99 * n)))]
    mask = raw > lo + 0.1 * (hi - lo)
    start, stop = [], []
    for axis in range(3):
        other = tuple(a for a in range(3) if a != axis)
        idx = np.nonzero(mask.any(axis=other))[0]
        start.append(max(0, int(idx[0]) - margin))
        stop.append(min(raw.shape[axis], int(idx[-1]) + 1 + margin))
    return start, stop


# brainchop's model30chan50cls: 9 dilated 3x3x3 Conv3D + ELU of 30 channels, then a 1x1x1 Conv3D to 50 classes.
DILATIONS = [1, 2, 4, 8, 16, 8, 4, 2, 1]


def seeded_meshnet(channels=30, classes=50, dilations=DILATIONS):
    """model30chan50cls's architecture with torch's default initialisation (seed the generator first)."""
    import torch
    layers, cin = [], 1
    for d in dilations:
        layers += [torch.nn.Conv3d(cin, channels, 3, padding=d, dilation=d), torch.nn.ELU()]
        cin = channels
    layers.append(torch.nn.Conv3d(channels, classes, 1))
    return torch.nn.Sequential(*layers)


def build(model_json, inplace=True):
    """The network of a tfjs model.json (or a folder holding one). In-place activations (the default) save memory
    in inference, where the 256³ × 30 activations are 2 GB each; a training step uses plain ones."""
    import torch
    if os.path.isdir(model_json):
        model_json = os.path.join(model_json, 'model.json')
    with open(model_json) as f:
        m = json.load(f)
    specs = [w for g in m['weightsManifest'] for w in g['weights']]
    blob = b''.join(open(os.path.join(os.path.dirname(model_json), p), 'rb').read()
                    for g in m['weightsManifest'] for p in g['paths'])
    weights, off = {}, 0
    for w in specs:
        count = int(np.prod(w['shape']))
        weights[w['name']] = np.frombuffer(blob, dtype=np.float32, count=count, offset=off).reshape(w['shape'])
        off += 4 * count
    layers = []
    for layer in m['modelTopology']['model_config']['config']['layers']:
        cls, c = layer['class_name'], layer['config']
        if cls == 'InputLayer':
            continue
        if cls == 'Conv3D':
            k = weights[c['name'] + '/kernel']  # [kd, kh, kw, Ci, Co] (tfjs) -> [Co, Ci, kd, kh, kw] (torch)
            dil = c['dilation_rate']
            conv = torch.nn.Conv3d(k.shape[3], k.shape[4], k.shape[:3], dilation=dil,
                                   padding=[d * (s - 1) // 2 for d, s in zip(dil, k.shape[:3])])
            conv.weight.data = torch.from_numpy(np.ascontiguousarray(k.transpose(4, 3, 0, 1, 2)))
            conv.bias.data = torch.from_numpy(weights[c['name'] + '/bias'].copy())
            layers.append(conv)
            act = c.get('activation', 'linear')
        elif cls == 'Activation':
            act = c['activation']
        else:
            raise SystemExit(f'meshnet_reference: layer class {cls} is not supported')
        if act == 'elu':
            layers.append(torch.nn.ELU(inplace=inplace))
        elif act == 'relu':
            layers.append(torch.nn.ReLU(inplace=inplace))
        elif act not in ('linear', 'softmax'):  # a final softmax does not change the labels; logits are compared
            raise SystemExit(f'meshnet_reference: activation {act} is not supported')
    return torch.nn.Sequential(*layers).eval()


def run_torch(args):
    import torch
    model_json, src, dst = args[:3]
    opts = dict(zip(args[3::2], args[4::2]))
    torch.set_num_threads(int(opts.get('--threads', '2')))
    img = nib.load(src)
    raw = np.asanyarray(img.dataobj).astype(np.float32)
    net = build(model_json)
    # Timed from the preparation on, as nonadj's segmentVolume is (scaling, crop, network, labels).
    use0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = use0.ru_utime + use0.ru_stime
    t0 = time.perf_counter()
    offset, scale = quantile_params(raw)
    x = ((raw - offset) / scale).astype(np.float32)
    start, stop = [0, 0, 0], list(raw.shape)
    if '--crop' in opts:
        start, stop = head_box(raw, int(opts['--crop']))
    if '--box' in opts:
        b = [int(v) for v in opts['--box'].split(',')]
        start, stop = b[:3], [b[i] + b[i + 3] for i in range(3)]
    sub = x[start[0]:stop[0], start[1]:stop[1], start[2]:stop[2]]
    with torch.inference_mode():
        logits = net(torch.from_numpy(np.ascontiguousarray(sub))[None, None])[0]  # [C, X, Y, Z]: D = x
        labels_sub = torch.argmax(logits, 0).numpy().astype(np.int32)
    seconds = time.perf_counter() - t0
    if '--logits' in opts:
        # voxel-major, x fastest, channels last: [Z, Y, X, C]
        logits.permute(3, 2, 1, 0).contiguous().numpy().astype(np.float32).tofile(opts['--logits'])
    labels = np.zeros(raw.shape, np.int32)
    labels[start[0]:stop[0], start[1]:stop[1], start[2]:stop[2]] = labels_sub
    out = nib.Nifti1Image(labels, img.affine)
    out.header.set_intent(1002)
    nib.save(out, dst)
    use = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({'seconds': round(seconds, 2), 'cpuSeconds': round(use.ru_utime + use.ru_stime - cpu0, 2), 'peakRssMiB': round(use.ru_maxrss / 1024),
                      'box': [start, stop], 'threads': torch.get_num_threads()}))


def compare(args):
    import nibabel.processing as nip
    lab = nib.load(args[0])
    aal = nib.load('data/aal.nii.gz')
    on_aal = np.asanyarray(nip.resample_from_to(lab, aal, order=0).dataobj).astype(np.int32)
    truth = np.isin(np.asanyarray(aal.dataobj), [77, 78])
    seg = on_aal == 5
    dice = 2 * np.logical_and(truth, seg).sum() / (truth.sum() + seg.sum())
    result = {'thalamusDice': round(float(dice), 4)}
    if len(args) > 1:
        a = np.asanyarray(lab.dataobj)
        b = np.asanyarray(nib.load(args[1]).dataobj)
        result['agreement'] = float((a == b).mean())
        fg = (a > 0) | (b > 0)
        result['agreementInHead'] = round(float((a[fg] == b[fg]).mean()), 6)
        result['voxelsDiffering'] = int((a != b).sum())
    print(json.dumps(result))


def median(v):
    return sorted(v)[len(v) // 2]


def step(args):
    import torch
    import torch.nn.functional as F
    ap = argparse.ArgumentParser(prog='meshnet_reference.py step')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--patch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=2)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--model')
    a = ap.parse_args(args)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = (build(a.model, inplace=False) if a.model else seeded_meshnet()).train()
    p = a.patch
    x = torch.randn(1, 1, p, p, p)
    y = torch.randint(0, 50, (1, p, p, p))
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)

    def one():
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        one()
    wall, cpu = [], []
    for _ in range(a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        one()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'wall_ms': median(wall), 'cpu_ms': median(cpu)}))


def predict(args):
    import torch
    ap = argparse.ArgumentParser(prog='meshnet_reference.py predict')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--model', required=True)
    ap.add_argument('--input', required=True)
    ap.add_argument('--output', required=True)
    ap.add_argument('--dims', type=int, nargs=3, required=True)
    a = ap.parse_args(args)
    torch.set_num_threads(a.threads)
    net = build(a.model)
    d, h, w = a.dims
    x = np.fromfile(a.input, np.float32)
    if x.size != d * h * w:
        sys.exit(f'meshnet_reference: {a.input} holds {x.size} values, expected {d}x{h}x{w}')
    t0 = time.perf_counter()
    with torch.inference_mode():
        labels = net(torch.from_numpy(x.reshape(1, 1, d, h, w))).argmax(1)[0].to(torch.int32).numpy()
    labels.tofile(a.output)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'seconds': time.perf_counter() - t0}))


if __name__ == '__main__':
    cmd, rest = sys.argv[1], sys.argv[2:]
    {'conform': lambda: conform(*rest), 'torch': lambda: run_torch(rest), 'compare': lambda: compare(rest),
     'step': lambda: step(rest), 'predict': lambda: predict(rest)}[cmd]()
