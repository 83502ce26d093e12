/**
 * Where the CPU of `nonadj train`'s data-parallel step goes, thread by thread: `trainSegmenter` on the demo's data
 * (as `step.bench.ts` part 4: the shipped baseline fine-tuned on demo subjects, batch 4, λ 1, Adam 1e-4, augmentation
 * 0.6), with 1 and with 2 workers alternating (1, 2, 1, 2, …), and after each step every thread's CPU time from
 * Linux's `/proc/self/task/<tid>/schedstat` (nanoseconds on the CPU: load on the machine does not inflate it). Threads
 * are the main one (sampling, augmentation, the gradients' sum, Adam, messaging), the step workers (the threads that
 * did more than 20 ms per step: forward/backward of their shares) and the rest (V8's GC and compiler helpers, libuv).
 * The first step of each run is left out (the workers' start); the next `--warm` steps are reported apart: a fresh
 * worker's first ~10 steps cost ~20 % more CPU than later ones (its new heap is still being sized: collections at
 * most steps, seen with `--trace-gc`), which short runs would otherwise mistake for the steady state.
 * Not part of `npm run bench` (Linux only):
 * `node --import tsx bench/profileParallelStep.ts [--steps 20] [--warm 10] [--rounds 2] [--workers 1,2] [--batch 4] [--semi] [--per-step] [--engine tfjs|onnx]`
 * (`--per-step` prints every step's row: step, main, the threads above 20 ms, the others).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initEngine } from '../src/engine/initEngine.js';
import { makeDemoData } from '../src/demo/makeDemoData.js';
import { findTrainingExams } from '../src/data/findTrainingExams.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { trainSegmenter } from '../src/train/trainSegmenter.js';
import { median } from './machine.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : process.argv[i + 1];
};
const steps = Number(arg('steps', '20'));
const rounds = Number(arg('rounds', '2'));
const semi = process.argv.includes('--semi');
const batchSize = Number(arg('batch', '4'));
const workerCounts = arg('workers', '1,2').split(',').map(Number);
const perStep = process.argv.includes('--per-step');
/** Engine of the steps (`--engine tfjs|onnx`). */
const engine = arg('engine', 'tfjs') as 'tfjs' | 'onnx';
/** Steps of each run (after the first) reported as warm-up, apart from the later ones. */
const warm = Number(arg('warm', '10'));

/** CPU nanoseconds of every thread of this process, by thread id. */
function threadTimes(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(Number(tid), Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

await initEngine({ backend: 'wasm' });
const root = path.resolve(import.meta.dirname, '..');
const demoDir = mkdtempSync(path.join(os.tmpdir(), 'nonadj-profile-ddp-'));
type Row = { step: number; main: number; workers: number[]; other: number; total: number; wall: number };
const rows: Record<string, Row[]> = { 1: [], 2: [] };
try {
  await makeDemoData({
    dir: demoDir, root, atlas: 'aal', labels: 'regions', downsample: 2, seed: 1,
    sizes: { train: 3, val: 0, test: 0, 'unseen-train': 2, 'unseen-test': 0 },
  });
  const train = await findTrainingExams(path.join(demoDir, 'train'));
  const unlabelled = await findTrainingExams(path.join(demoDir, 'unseen-train'), { requireLabels: false });
  const prior = await AdjacencyPrior.read(path.join(demoDir, 'prior', 'graph.json'));
  for (let r = 0; r < rounds; r++) {
    for (const workers of (workerCounts)) {
      let before = threadTimes();
      await trainSegmenter({
        outDir: path.join(demoDir, 'runs', `w${workers}-${r}`),
        prior, train, unlabelled: semi ? unlabelled : undefined,
        init: path.join(root, 'demo', 'baseline', 'model.json'),
        epochs: 1, stepsPerEpoch: steps, batchSize, lambda: 1,
        optimizer: { kind: 'adam', learningRate: 1e-4 }, emptySliceWeight: 0.1, seed: 1, workers, engine,
        onStep: (st) => {
          const now = threadTimes();
          const ms = (tid: number) => ((now.get(tid) ?? 0) - (before.get(tid) ?? 0)) / 1e6;
          const row: Row = { step: st.step, main: ms(process.pid), workers: [], other: 0, total: 0, wall: st.ms };
          for (const tid of now.keys()) {
            if (tid === process.pid) continue;
            const t = ms(tid);
            if (t > 20) row.workers.push(t);
            else row.other += t;
          }
          row.total = row.main + row.other + row.workers.reduce((a, b) => a + b, 0);
          if (perStep) console.log(workers, st.step, row.main.toFixed(1), row.workers.map((x) => x.toFixed(1)).join(' '), row.other.toFixed(1));
          before = threadTimes();
          // The first step of a run includes the workers' start and the kernels' first calls: left out.
          if (st.step > 1) rows[workers].push(row);
        },
      });
    }
  }
} finally {
  rmSync(demoDir, { recursive: true, force: true });
}
const f = (v: number) => v.toFixed(1);
const table = (title: string, keep: (r: Row) => boolean): void => {
  console.log(`\n${semi ? 'Semi-supervised (4 + 12)' : 'Plain (batch ' + batchSize + ')'} step, ${title}: median thread CPU ms per step (${rows[1].filter(keep).length} and ${rows[2].filter(keep).length} steps)\n`);
  console.log('| workers | main thread | step workers (each) | other threads | total CPU | wall |');
  console.log('|---:|---:|---|---:|---:|---:|');
  for (const w of [1, 2]) {
    const rs = rows[w].filter(keep);
    if (rs.length === 0) continue;
    const n = w === 1 ? 0 : w;
    const each = Array.from({ length: n }, (_, k) => f(median(rs.map((r) => [...r.workers].sort((a, b) => b - a)[k] ?? 0))));
    console.log(`| ${w} | ${f(median(rs.map((r) => r.main)))} | ${each.join(' / ') || '–'} | ${f(median(rs.map((r) => r.other + [...r.workers].sort((a, b) => b - a).slice(n).reduce((a, b) => a + b, 0))))} | ${f(median(rs.map((r) => r.total)))} | ${f(median(rs.map((r) => r.wall)))} |`);
  }
};
table(`steps 2–${warm}`, (r) => r.step <= warm);
table(`steps ${warm + 1}–${steps}`, (r) => r.step > warm);
