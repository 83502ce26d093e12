/**
 * Test-time adaptation (`adaptModel`, `nonadj adapt`) of the demo's shipped baseline (`demo/baseline/`) on the demo's
 * unseen-scanner subjects, scored against their ground truth: per subject, the baseline, the baseline + largest
 * connected component per label (`keepLargestComponent`, the standard post-processing), the adapted model and the
 * adapted model + largest component, each
 * with mean Dice, forbidden contacts (against the demo's training prior) and the mean maximum Hausdorff distance.
 * Paired 95 % bootstrap intervals (`bootstrapPairedDifference`, subjects resampled; one adaptation run, so one
 * "seed") of adapted − baseline and adapted − (baseline + lcc).
 *
 * The data: `nonadj demo --data-only --replicates 3 --out DIR` (the varied cohort; the sets used here are `train`
 * for the prior, `unseen-val` for choosing the settings and `unseen-test` for the report). The adaptation is
 * transductive over the set: one model adapted on all the set's images at once, as `nonadj adapt <folder>` does.
 *
 * What was run (docs/adapt/): validation, one process per pair of λ (300 was stopped after 50 steps),
 *   node --import tsx bench/adaptDemo.ts --data DIR --set unseen-val --lambdas 1000,10000 --checkpoints 50,100,200 --out …
 *   node --import tsx bench/adaptDemo.ts --data DIR --set unseen-val --lambdas 3000,30000 --checkpoints 50,100,200 --out …
 * then the test subjects with the setting chosen there:
 *   node --import tsx bench/adaptDemo.ts --data DIR --set unseen-test --lambdas 30000 --checkpoints 50,100 --out docs/adapt/test
 *
 * Settings are scored at every checkpoint of one run (the model is segmented after that many steps). Writes
 * `<out>.json` (every subject's scores) and `<out>.md` (the tables).
 */
import { readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/initEngine.js';
import { segmentVolume } from '../src/infer/segmentVolume.js';
import { evaluateSegmentation } from '../src/metric/evaluateSegmentation.js';
import { loadModel } from '../src/model/modelFiles.js';
import { keepLargestComponent } from '../src/postprocess/keepLargestComponent.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { bootstrapPairedDifference } from '../src/stats/bootstrapPairedDifference.js';
import { adaptModel } from '../src/train/adaptModel.js';
import { adaptLastLayer } from '../src/train/adaptLastLayer.js';
import { readNiftiFile } from '../src/volume/niftiFile.js';
import type { Volume } from '../src/volume/Volume.js';
import { machineLine } from './machine.js';

const { values: a } = parseArgs({
  options: {
    data: { type: 'string' },
    set: { type: 'string', default: 'unseen-val' },
    model: { type: 'string', default: path.resolve(import.meta.dirname, '..', 'demo', 'baseline') },
    lambdas: { type: 'string', default: '1000' },
    lrs: { type: 'string', default: '1e-4' },
    checkpoints: { type: 'string', default: '100' },
    batch: { type: 'string', default: '4' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    layers: { type: 'string', default: 'all' },
  },
});
if (!a.data || !a.out) throw new Error('adaptDemo: give --data <demo data folder> and --out <results path without extension>');
const dataDir = a.data;
const setDir = path.join(dataDir, a.set!);
const subjects = readdirSync(setDir).filter((d) => /^s\d+$/.test(d)).sort();
const lambdas = a.lambdas!.split(',').map(Number);
const lrs = a.lrs!.split(',').map(Number);
const checkpoints = a.checkpoints!.split(',').map(Number).sort((x, y) => x - y);
const batchSize = Number(a.batch);
const seed = Number(a.seed);
const layers = a.layers === 'last' ? 'last' : 'all';
if (a.layers !== layers) throw new Error(`adaptDemo: --layers is ${a.layers}, expected all or last`);

const engine = await initEngine({ backend: 'wasm' });
const prior = await AdjacencyPrior.read(path.join(dataDir, 'prior', 'graph.json'));
const images = subjects.map((s) => path.join(setDir, s, 'prepro_im_mni_bc.nii.gz'));
const truths: Volume[] = await Promise.all(subjects.map((s) => readNiftiFile(path.join(setDir, s, 'prepro_seg_mni.nii.gz'), { expect: '3d' })));
const say = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

interface Score { meanDice: number; forbiddenContacts: number; forbiddenPairs: number; hdMaxMm: number; hd95Mm: number }
function score(pred: Volume, truth: Volume): Score {
  const e = evaluateSegmentation(pred, truth, { prior });
  return {
    meanDice: e.meanDice ?? NaN,
    forbiddenContacts: e.check!.forbiddenContacts,
    forbiddenPairs: e.check!.forbiddenPairs,
    hdMaxMm: e.meanHausdorff100Mm ?? NaN,
    hd95Mm: e.meanHausdorff95Mm ?? NaN,
  };
}

async function segmentAll(model: Awaited<ReturnType<typeof loadModel>>['model'], metadata: Awaited<ReturnType<typeof loadModel>>['metadata']): Promise<Volume[]> {
  const out: Volume[] = [];
  for (const file of images) out.push((await segmentVolume(model, await readNiftiFile(file, { expect: '3d' }), { metadata, batchSize: 8 })).labels);
  return out;
}

const t0 = performance.now();
const base = await loadModel(a.model!);
const baselinePreds = await segmentAll(base.model, base.metadata);
base.model.dispose();
const baseline = baselinePreds.map((p, i) => score(p, truths[i]));
const lcc = baselinePreds.map((p, i) => score(keepLargestComponent(p).volume, truths[i]));
const segmentSeconds = (performance.now() - t0) / 1000 / subjects.length;
say(`baseline: Dice ${mean(baseline.map((s) => s.meanDice)).toFixed(4)}, contacts ${mean(baseline.map((s) => s.forbiddenContacts)).toFixed(1)}; +lcc contacts ${mean(lcc.map((s) => s.forbiddenContacts)).toFixed(1)} (${segmentSeconds.toFixed(1)} s per subject)`);

interface Arm { lambda: number; lr: number; steps: number; scores: Score[]; lccScores: Score[]; adaptSeconds: number; finalFidelity: number; finalNonAdjacency: number }
const arms: Arm[] = [];
for (const lr of lrs) {
  for (const lambda of lambdas) {
    const { model, metadata } = await loadModel(a.model!);
    const runStart = performance.now();
    let segmentTime = 0;
    let recent: Array<{ fidelity: number; nonAdjacency: number }> = [];
    const common = { prior, scans: images, metadata, steps: checkpoints.at(-1)!, lambda, learningRate: lr };
    await (layers === 'last' ? adaptLastLayer : adaptModel)(model, {
      ...common, ...(layers === 'all' ? { batchSize, seed } : {}),
      onStep: async (info) => {
        recent = [...recent.slice(-9), info];
        if (info.step % 10 === 0) say(`λ ${lambda} lr ${lr} step ${info.step}/${info.steps}: fidelity ${info.fidelity.toExponential(3)}, λ·NonAdj ${info.nonAdjacency.toExponential(3)} (${info.ms.toFixed(0)} ms)`);
        if (!checkpoints.includes(info.step)) return;
        const s0 = performance.now();
        const preds = await segmentAll(model, metadata);
        segmentTime += performance.now() - s0;
        const scores = preds.map((p, i) => score(p, truths[i]));
        const lccScores = preds.map((p, i) => score(keepLargestComponent(p).volume, truths[i]));
        arms.push({
          lambda, lr, steps: info.step, scores, lccScores,
          adaptSeconds: (performance.now() - runStart - segmentTime) / 1000,
          finalFidelity: mean(recent.map((r) => r.fidelity)),
          finalNonAdjacency: mean(recent.map((r) => r.nonAdjacency)),
        });
        say(`λ ${lambda} lr ${lr} after ${info.step} steps: Dice ${mean(scores.map((s) => s.meanDice)).toFixed(4)}, contacts ${mean(scores.map((s) => s.forbiddenContacts)).toFixed(1)}`);
      },
    });
    model.dispose();
  }
}

const metrics: Array<[keyof Score, string]> = [['meanDice', 'Dice'], ['forbiddenContacts', 'forbidden contacts'], ['hdMaxMm', 'max Hausdorff (mm)'], ['hd95Mm', 'HD95 (mm)']];
function compare(arm: Score[], control: Score[]) {
  return Object.fromEntries(metrics.map(([m]) => {
    const r = bootstrapPairedDifference(arm.map((s, i) => ({ seed: 1, subject: subjects[i], arm: s[m], control: control[i][m] })), { resamples: 2000, seed: 1 });
    return [m, { meanDifference: r.meanDifference, relativeChange: r.relativeChange }];
  }));
}
const rows = arms.map((arm) => ({ ...arm, vsBaseline: compare(arm.scores, baseline), vsLcc: compare(arm.scores, lcc), lccVsLcc: compare(arm.lccScores, lcc) }));
const result = {
  format: 'nonadj-adapt-demo',
  machine: machineLine(),
  backend: engine.backend,
  data: dataDir,
  set: a.set,
  subjects,
  model: path.relative(process.cwd(), a.model!),
  prior: path.join(dataDir, 'prior', 'graph.json'),
  settings: { layers, lambdas, lrs, checkpoints, ...(layers === 'all' ? { batchSize, seed } : {}) },
  baseline,
  baselineLcc: lcc,
  segmentSecondsPerSubject: segmentSeconds,
  arms: rows,
};
await mkdir(path.dirname(a.out), { recursive: true });
await writeFile(`${a.out}.json`, JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1) + '\n');
await writeFile(`${a.out}.md`, renderMarkdown());
say(`wrote ${a.out}.json and ${a.out}.md`);

function mean(v: number[]): number {
  return v.reduce((s, x) => s + x, 0) / v.length;
}

function renderMarkdown(): string {
  const f = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const iv = (r: { estimate: number; low: number; high: number }, d: number) => `${f(r.estimate, d)} [${f(r.low, d)}, ${f(r.high, d)}]`;
  const lines = [
    `# Test-time adaptation of the demo baseline: ${a.set} (${subjects.length} subjects)`,
    '',
    `Machine: ${machineLine()}, backend ${engine.backend}. Data: ${dataDir} (varied cohort); prior: its training label maps.`,
    layers === 'all'
      ? `Adaptation: one model adapted on all ${subjects.length} images (transductive), batch ${batchSize}, Adam, seed ${seed}.`
      : `Adaptation: the last layer only (\`--layers last\`), on the features of all ${subjects.length} images (transductive), full passes, Adam.`,
    '',
    '## Means over subjects',
    '',
    '| arm | λ | lr | steps | Dice | forbidden contacts | forbidden pairs | max Hausdorff (mm) | HD95 (mm) | adapt time (s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    row('baseline', '', '', '', baseline, ''),
    row('baseline + lcc', '', '', '', lcc, ''),
    ...rows.flatMap((r) => [
      row('adapted', String(r.lambda), String(r.lr), String(r.steps), r.scores, f(r.adaptSeconds, 0)),
      row('adapted + lcc', String(r.lambda), String(r.lr), String(r.steps), r.lccScores, ''),
    ]),
    '',
    '## Adapted − baseline, paired 95 % bootstrap intervals (subjects resampled)',
    '',
    '| λ | lr | steps | Dice | forbidden contacts | contacts, relative | max Hausdorff (mm) | vs baseline + lcc: Dice | contacts | max Hausdorff (mm) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) =>
      `| ${r.lambda} | ${r.lr} | ${r.steps} | ${iv(r.vsBaseline.meanDice.meanDifference, 4)} | ${iv(r.vsBaseline.forbiddenContacts.meanDifference, 1)} | ` +
      `${r.vsBaseline.forbiddenContacts.relativeChange ? iv(r.vsBaseline.forbiddenContacts.relativeChange, 2) : '–'} | ${iv(r.vsBaseline.hdMaxMm.meanDifference, 2)} | ` +
      `${iv(r.vsLcc.meanDice.meanDifference, 4)} | ${iv(r.vsLcc.forbiddenContacts.meanDifference, 1)} | ${iv(r.vsLcc.hdMaxMm.meanDifference, 2)} |`),
    '',
    '## Adapted + lcc − baseline + lcc, paired 95 % bootstrap intervals',
    '',
    '| λ | lr | steps | Dice | forbidden contacts | contacts, relative | max Hausdorff (mm) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) =>
      `| ${r.lambda} | ${r.lr} | ${r.steps} | ${iv(r.lccVsLcc.meanDice.meanDifference, 4)} | ${iv(r.lccVsLcc.forbiddenContacts.meanDifference, 1)} | ` +
      `${r.lccVsLcc.forbiddenContacts.relativeChange ? iv(r.lccVsLcc.forbiddenContacts.relativeChange, 2) : '–'} | ${iv(r.lccVsLcc.hdMaxMm.meanDifference, 2)} |`),
    '',
    '## Per subject (Dice / forbidden contacts / max Hausdorff mm)',
    '',
    `| subject | baseline | baseline + lcc | ${rows.map((r) => `λ ${r.lambda}, lr ${r.lr}, ${r.steps} steps`).join(' | ')} |`,
    `|---|---|---|${rows.map(() => '---').join('|')}|`,
    ...subjects.map((s, i) => {
      const cell = (x: Score) => `${f(x.meanDice, 3)} / ${x.forbiddenContacts} / ${f(x.hdMaxMm, 1)}`;
      return `| ${s} | ${cell(baseline[i])} | ${cell(lcc[i])} | ${rows.map((r) => cell(r.scores[i])).join(' | ')} |`;
    }),
    '',
  ];
  return lines.join('\n');

  function row(name: string, lambda: string, lr: string, steps: string, s: Score[], time: string): string {
    return `| ${name} | ${lambda} | ${lr} | ${steps} | ${f(mean(s.map((x) => x.meanDice)), 4)} | ${f(mean(s.map((x) => x.forbiddenContacts)), 1)} | ${f(mean(s.map((x) => x.forbiddenPairs)), 1)} | ${f(mean(s.map((x) => x.hdMaxMm)), 2)} | ${f(mean(s.map((x) => x.hd95Mm)), 2)} | ${time} |`;
  }
}
