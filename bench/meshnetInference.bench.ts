/**
 * Brainchop's MeshNet (model30chan50cls: nine dilated 3×3×3 convolutions of 30 channels with ELU, a 1×1×1
 * convolution to 50 classes) on Colin27 conformed to 256³ 1 mm LIA: nonadj's layer-by-layer path (`segmentVolume`,
 * wasm, one thread) against the same network in PyTorch (`meshnet_reference.py`, built from the same model.json and
 * weights) with 1 and 2 threads, on the whole grid and on the head's box (margin 8), each run in its own process so
 * that its peak RSS is its own. Then:
 * - parity: the logits of both on a 48³ box of the prepared image (max |difference|, labels agreeing);
 * - agreement of the labels on the whole volume, and each one's thalamus Dice against AAL's (left + right).
 *
 * Times are wall-clock seconds of one run (scaling, crop, network, labels; not reading the file or loading the model),
 * with the CPU seconds beside them because this 2-core machine is shared; ratios are nonadj / PyTorch on the same
 * input. Needs /usr/bin/python3 with torch and nibabel (Debian: python3-torch, python3-nibabel) and the model
 * (`NONADJ_MESHNET_MODEL`, default /work/shared/models/brainchop-model30chan50cls/model.json); says so and stops
 * otherwise. `--smoke`: only the 48³ parity box.
 *
 * `node --import tsx bench/meshnetInference.bench.ts [--smoke]`
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMOKE } from './machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const PY = '/usr/bin/python3';
const MODEL = process.env.NONADJ_MESHNET_MODEL ?? '/work/shared/models/brainchop-model30chan50cls/model.json';
const reference = path.join(here, 'meshnet_reference.py');

interface RunResult {
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`meshnet bench: ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
  return r.stdout;
}
const lastJson = <T>(text: string): T => JSON.parse(text.trim().split('\n').at(-1)!) as T;
const nonadj = (args: string[]) => lastJson<RunResult>(sh(process.execPath, ['--import', 'tsx', path.join(here, 'meshnetRun.ts'), MODEL, ...args]));
const torch = (args: string[]) => lastJson<RunResult>(sh(PY, [reference, 'torch', MODEL, ...args]));

if (!existsSync(MODEL)) {
  console.log(`skipped: no model at ${MODEL} (set NONADJ_MESHNET_MODEL to brainchop's model30chan50cls/model.json)\n`);
  process.exit(0);
}
if (spawnSync(PY, ['-c', 'import torch, nibabel']).status !== 0) {
  console.log(`skipped: ${PY} cannot import torch and nibabel (apt-get install python3-torch python3-nibabel)\n`);
  process.exit(0);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-meshnet-'));
try {
  const t1 = path.join(tmp, 'ch2-conformed.nii.gz');
  sh(PY, [reference, 'conform', path.join(root, 'data/ch2.nii.gz'), t1]);

  // Parity on a 48³ box around the centre of the conformed grid.
  const box = '104,104,104,48,48,48';
  const a = path.join(tmp, 'nonadj-box.f32');
  const b = path.join(tmp, 'torch-box.f32');
  nonadj([t1, path.join(tmp, 'unused.nii.gz'), 'none', '--box', box, '--logits', a]);
  torch([t1, path.join(tmp, 'torch-box.nii.gz'), '--threads', '2', '--box', box, '--logits', b]);
  const la = new Float32Array(readFileSync(a).buffer.slice(0));
  const lb = new Float32Array(readFileSync(b).buffer.slice(0));
  let maxDiff = 0;
  let maxAbs = 0;
  let agree = 0;
  const C = 50;
  for (let v = 0; v < la.length / C; v++) {
    let ba = 0;
    let bb = 0;
    for (let c = 0; c < C; c++) {
      const i = v * C + c;
      maxDiff = Math.max(maxDiff, Math.abs(la[i] - lb[i]));
      maxAbs = Math.max(maxAbs, Math.abs(lb[i]));
      if (la[i] > la[v * C + ba]) ba = c;
      if (lb[i] > lb[v * C + bb]) bb = c;
    }
    if (ba === bb) agree++;
  }
  console.log(`Parity on a 48³ box (${la.length / C} voxels × ${C} logits): max |nonadj − PyTorch| = ${maxDiff.toExponential(2)} (largest |logit| ${maxAbs.toFixed(1)}), labels agree on ${agree} / ${la.length / C} voxels.\n`);

  if (!SMOKE) {
    const rows: string[] = [];
    const labels: Record<string, string> = {};
    console.log('| input | engine | wall s | CPU s | peak RSS MiB | wall ratio vs PyTorch 2 threads | vs 1 thread |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [name, crop] of [['head box, margin 8', '8'], ['whole 256³', 'none']] as const) {
      const tag = crop === 'none' ? 'full' : 'crop';
      labels[`nonadj-${tag}`] = path.join(tmp, `nonadj-${tag}.nii.gz`);
      labels[`torch-${tag}`] = path.join(tmp, `torch-${tag}.nii.gz`);
      const cropArgs = crop === 'none' ? [] : ['--crop', crop];
      // On a shared machine a run may be killed (out of memory): the row says so and the others still run.
      const attempt = (f: () => RunResult): RunResult | Error => {
        try {
          return f();
        } catch (error) {
          return error as Error;
        }
      };
      const n = attempt(() => nonadj([t1, labels[`nonadj-${tag}`], crop]));
      const p2 = attempt(() => torch([t1, labels[`torch-${tag}`], '--threads', '2', ...cropArgs]));
      const p1 = attempt(() => torch([t1, path.join(tmp, `torch1-${tag}.nii.gz`), '--threads', '1', ...cropArgs]));
      const fmt = (r: RunResult | Error, engine: string, ratios = '| |') =>
        r instanceof Error
          ? `| ${name} | ${engine} | failed: ${r.message.split('\n')[0].slice(0, 200)} | | ${ratios}`
          : `| ${name} | ${engine} | ${r.seconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${r.peakRssMiB} ${ratios}`;
      const ratio = (x: RunResult | Error, y: RunResult | Error) => (x instanceof Error || y instanceof Error ? '–' : `${(x.seconds / y.seconds).toFixed(2)}×`);
      for (const line of [
        fmt(n, 'nonadj (wasm, 1 thread)', `| ${ratio(n, p2)} | ${ratio(n, p1)} |`),
        fmt(p2, 'PyTorch 2 threads'),
        fmt(p1, 'PyTorch 1 thread'),
      ]) {
        rows.push(line);
        console.log(line);
      }
    }
    console.log('');
    const cmp = (x: string, y?: string) =>
      existsSync(x) && (y === undefined || existsSync(y)) ? lastJson<Record<string, number>>(sh(PY, [reference, 'compare', x, ...(y ? [y] : [])])) : null;
    const say = (what: string, r: Record<string, number> | null, text: (r: Record<string, number>) => string) => console.log(r ? text(r) : `${what}: a run failed, no comparison.`);
    say('Whole volume', cmp(labels['nonadj-full'], labels['torch-full']), (r) => `Whole volume: nonadj and PyTorch labels differ on ${r.voxelsDiffering} voxels (agreement ${(100 * r.agreementInHead).toFixed(4)} % of the voxels either labels non-background); nonadj's thalamus Dice against AAL (left + right) ${r.thalamusDice}.`);
    say('Whole volume, PyTorch', cmp(labels['torch-full']), (r) => `PyTorch's thalamus Dice, whole volume: ${r.thalamusDice}.`);
    say('Head box', cmp(labels['nonadj-crop'], labels['torch-crop']), (r) => `Head box: nonadj and PyTorch labels differ on ${r.voxelsDiffering} voxels; nonadj's thalamus Dice ${r.thalamusDice}.`);
    say('Head box vs whole', cmp(labels['nonadj-crop'], labels['nonadj-full']), (r) => `nonadj, head box vs whole volume: ${r.voxelsDiffering} voxels differ (agreement ${(100 * r.agreementInHead).toFixed(4)} % of the head).\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
