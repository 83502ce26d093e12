"""MeshNet (brainchop's model30chan50cls architecture) in PyTorch: the reference nonadj's TensorFlow.js runs are
compared with. Dev-only (Debian's python3-torch); nonadj itself never runs Python.

  meshnet_torch.py step --threads N [--patch 64] [--steps 2] [--warmup 1] [--model DIR]
      one fine-tune step (forward, softmax cross-entropy, backward, Adam) on a [1, 1, P, P, P] patch; prints JSON
      {"torch", "threads", "wall_ms": median, "cpu_ms": median}.
  meshnet_torch.py predict --model DIR --input X.f32 --dims D H W --output Y.i32 [--threads N]
      arg-max labels of the network over a whole [D, H, W] float32 volume (C order, already scaled as brainchop
      does); writes int32 labels in the same order.

The weights are read from the tfjs files (model.json + its weight shards): a Conv3D kernel [kd, kh, kw, in, out]
becomes PyTorch's [out, in, kd, kh, kw]; tensors are NCDHW here and NDHWC in tfjs, with D, H, W in the same order.
Without --model (step only) the weights are seeded random: the time does not depend on their values.
"""
import argparse, json, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DILATIONS = [1, 2, 4, 8, 16, 8, 4, 2, 1]


class MeshNet(nn.Module):
    def __init__(self, channels=30, classes=50, dilations=DILATIONS):
        super().__init__()
        convs, cin = [], 1
        for d in dilations:
            convs.append(nn.Conv3d(cin, channels, 3, padding=d, dilation=d))
            cin = channels
        self.convs = nn.ModuleList(convs)
        self.out = nn.Conv3d(channels, classes, 1)

    def forward(self, x):
        for conv in self.convs:
            x = F.elu(conv(x))
        return self.out(x)


def load_tfjs(net, model_dir):
    with open(os.path.join(model_dir, 'model.json')) as f:
        spec = json.load(f)
    tensors = []
    for group in spec['weightsManifest']:
        data = b''.join(open(os.path.join(model_dir, p), 'rb').read() for p in group['paths'])
        offset = 0
        for w in group['weights']:
            n = int(np.prod(w['shape']))
            tensors.append((w['name'], np.frombuffer(data, np.float32, n, offset).reshape(w['shape'])))
            offset += 4 * n
    layers = list(net.convs) + [net.out]
    if len(tensors) != 2 * len(layers):
        sys.exit(f'meshnet_torch: {model_dir} holds {len(tensors)} weights, expected {2 * len(layers)} (MeshNet)')
    with torch.no_grad():
        for i, layer in enumerate(layers):
            (kn, k), (bn, b) = tensors[2 * i], tensors[2 * i + 1]
            layer.weight.copy_(torch.from_numpy(k.transpose(4, 3, 0, 1, 2).copy()))
            layer.bias.copy_(torch.from_numpy(b.copy()))


def median(v):
    return sorted(v)[len(v) // 2]


def step(a):
    torch.manual_seed(0)
    net = MeshNet()
    if a.model:
        load_tfjs(net, a.model)
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


def predict(a):
    net = MeshNet()
    load_tfjs(net, a.model)
    net.eval()
    d, h, w = a.dims
    x = np.fromfile(a.input, np.float32)
    if x.size != d * h * w:
        sys.exit(f'meshnet_torch: {a.input} holds {x.size} values, expected {d}x{h}x{w}')
    t0 = time.perf_counter()
    with torch.no_grad():
        z = torch.from_numpy(x.reshape(1, 1, d, h, w))
        for conv in net.convs:
            z = F.elu(conv(z), inplace=True)
        labels = net.out(z).argmax(1)[0].to(torch.int32).numpy()
    labels.tofile(a.output)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'seconds': time.perf_counter() - t0}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=['step', 'predict'])
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--patch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=2)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--model')
    ap.add_argument('--input')
    ap.add_argument('--output')
    ap.add_argument('--dims', type=int, nargs=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    step(a) if a.mode == 'step' else predict(a)


if __name__ == '__main__':
    main()
