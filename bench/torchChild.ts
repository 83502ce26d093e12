/**
 * What the benchmarks that time PyTorch beside nonadj share (models.bench.ts, step.bench.ts): the PyTorch ModSegNet
 * (nonadj's `makeModSegNet` in NCHW), finding a Python with torch, and running a script in a child process.
 * Dev only: nonadj itself never runs Python.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Python source of `class ModSegNet(nn.Module)`, `ModSegNet(k, classes, filters, convs=2, softmax=False)`, for a
 * script that has imported `torch`, `torch.nn as nn` and `torch.nn.functional as F`.
 */
export const TORCH_MODSEGNET = String.raw`
class ModSegNet(nn.Module):
    # makeModSegNet in NCHW: encoders of 'convs' 3x3 conv+ReLU and max-pool with indices; decoders max-unpool,
    # concat the skip, convs (the top decoder one); 1x1 classifier; logits out, or their softmax.
    def __init__(self, k, classes, filters, convs=2, softmax=False):
        super().__init__()
        self.softmax = softmax
        self.enc, self.dec = nn.ModuleList(), nn.ModuleList()
        cin = k
        for f in filters:
            layers = []
            for i in range(convs):
                layers += [nn.Conv2d(cin, f, 3, padding=1), nn.ReLU()]
                cin = f
            self.enc.append(nn.Sequential(*layers))
        for l in range(len(filters) - 1, -1, -1):
            n = 1 if l == 0 else convs
            layers, cin = [], 2 * filters[l]
            for i in range(n):
                co = filters[max(l - 1, 0)] if i == n - 1 else filters[l]
                layers += [nn.Conv2d(cin, co, 3, padding=1), nn.ReLU()]
                cin = co
            self.dec.append(nn.Sequential(*layers))
        self.cls = nn.Conv2d(filters[0], classes, 1)
    def forward(self, x):
        skips, idx = [], []
        for e in self.enc:
            x = e(x)
            skips.append(x)
            x, i = F.max_pool2d(x, 2, 2, return_indices=True)
            idx.append(i)
        for d, s, i in zip(self.dec, reversed(skips), reversed(idx)):
            x = d(torch.cat([F.max_unpool2d(x, i, 2, 2, output_size=s.shape[-2:]), s], 1))
        return torch.softmax(self.cls(x), 1) if self.softmax else self.cls(x)
`;

/** A `python3` that imports torch (Debian's `python3-torch` is `/usr/bin/python3`'s), or null. */
export function findTorchPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

/**
 * Run a Python `script` (source text) with one JSON argument, `threads` OpenMP threads, and return the JSON of the
 * last line it prints.
 *
 * @param who - the benchmark, named in the error.
 * @throws Error naming `who`, the exit code and the end of stderr when the child fails.
 */
export function runTorchScript<T>(python: string, script: string, arg: object, options: { who: string; threads: number }): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nonadj-bench-'));
  try {
    const file = path.join(dir, `${options.who.replace(/\W+/g, '_')}_torch.py`);
    writeFileSync(file, script);
    const r = spawnSync(python, [file, JSON.stringify(arg)], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: String(options.threads) },
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) throw new Error(`${options.who}: the PyTorch child failed (exit ${r.status}): ${r.stderr.slice(-500)}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
