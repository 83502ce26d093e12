/**
 * Session 8 of `docs/adapt-brainchop.md` (the last layer alone, on whole-scan features, over nine inputs: Colin27 and
 * eight augmented copies) comes from the files committed in `docs/adapt/session8/`: `eval.json`
 * (`bench/brainchop/evaluateColin27.ts`, the original's and the adapted model's segmentation of every input) and each
 * run's `adapt.json` (as `adapt-<input>.json`). The document's tables are rebuilt here from them with the analysis
 * the design fixed (`bench/brainchop/summariseInputs.ts`), and the runs are checked to be the design's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { keptStep, type TrajectoryCheck } from '../bench/brainchop/chooseTolerance.js';
import { designRow, README_DESIGNS, summariseInputs, summaryTables, type ScoreRow } from '../bench/brainchop/summariseInputs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIR = path.join(ROOT, 'docs', 'adapt', 'session8');
const doc = readFileSync(path.join(ROOT, 'docs', 'adapt-brainchop.md'), 'utf8');
const session8 = doc.slice(doc.indexOf('## Session 8'));
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const scores = JSON.parse(readFileSync(path.join(DIR, 'eval.json'), 'utf8')) as { structures: Array<{ name: string }>; rows: ScoreRow[] };
const structures = scores.structures.map((s) => s.name);
const summary = summariseInputs(scores.rows, structures, 'last-');
interface Adapt {
  settings: { layers: string; lambda: number; learningRate: number; steps: number };
  stepsDone: number;
  guard: { minDice: number; every: number; bestStep: number; checks: Array<{ step: number; forbiddenContacts: number; forbiddenPairs: number; worst: TrajectoryCheck['worst'] }> };
  scans: Array<{ forbiddenContacts: number; forbiddenPairs: number }>;
}
const adaptOf = (input: string) => JSON.parse(readFileSync(path.join(DIR, `adapt-${input}.json`), 'utf8')) as Adapt;

test('Session 8: nine inputs, each run with the pre-registered settings, each scored on its own final segmentation', () => {
  assert.deepEqual(summary.inputs.map((i) => i.name), ['orig', ...Array.from({ length: 8 }, (_, k) => `copy${k}`)]);
  for (const input of summary.inputs) {
    const a = adaptOf(input.name);
    assert.deepEqual([a.settings.layers, a.settings.lambda, a.settings.learningRate, a.settings.steps], ['last', 137429, 1e-3, 15]);
    assert.deepEqual([a.guard.every, a.guard.minDice], [1, 0.9]);
    // The segmentation scored is the one `adapt` wrote: the same contacts against A as it counted, which are the kept check's.
    const kept = a.guard.checks.find((c) => c.step === a.guard.bestStep)!;
    const counted = input.adapted.contacts.A;
    assert.deepEqual([counted.forbiddenContacts, counted.forbiddenPairs], [a.scans[0].forbiddenContacts, a.scans[0].forbiddenPairs]);
    assert.deepEqual([counted.forbiddenContacts, counted.forbiddenPairs], [kept.forbiddenContacts, kept.forbiddenPairs]);
    // And the reference check (step 0, the original weights on the stored features) is the original's segmentation.
    assert.equal(a.guard.checks[0].forbiddenContacts, input.original.contacts.A.forbiddenContacts);
  }
});

test('Session 8: the document\'s tables are the analysis of eval.json', () => {
  for (const line of summaryTables(summary, structures).split('\n')) {
    assert.ok(session8.includes(line), `Session 8 lacks the line ${line}`);
  }
});

test('Session 8: the README\'s table of designs has its row', () => {
  assert.ok(readme.includes(designRow(README_DESIGNS.full, summary)), `the README lacks ${designRow(README_DESIGNS.full, summary)}`);
});

test('Session 8, restricted prior: the runs are the pre-registered design, and the document\'s tables are the analysis of eval-made.json', () => {
  const made = JSON.parse(readFileSync(path.join(DIR, 'eval-made.json'), 'utf8')) as { rows: ScoreRow[] };
  const result = summariseInputs(made.rows, structures, 'made-');
  assert.ok(result.inputs.length >= 1);
  // λ_k = 30 000 × (2 × pairs the original's segmentation of copy k makes) / 420, fixed before the runs.
  const lambdas: Record<string, number> = { copy0: 2571, copy1: 8429, copy2: 1857, copy3: 8571, copy4: 5429, copy5: 2000, copy6: 2857, copy7: 1857 };
  assert.deepEqual(result.inputs.map((i) => i.name), Object.keys(lambdas));
  const trajectories = JSON.parse(readFileSync(path.join(ROOT, 'docs', 'adapt', 'session9', 'eval-traj.json'), 'utf8')) as { rows: ScoreRow[] };
  for (const input of result.inputs) {
    // Copies 6 and 7 ran in session 9, as trajectories (tolerance 0, every check saved): their row is the check that
    // --check-dice 0.9 keeps, read off by the guard's rule, and is that check's scores in session 9's eval-traj.json.
    const late = ['copy6', 'copy7'].includes(input.name);
    const a = late ? (JSON.parse(readFileSync(path.join(ROOT, 'docs', 'adapt', 'session9', `adapt-traj-${input.name}.json`), 'utf8')) as Adapt) : adaptOf(`made-${input.name}`);
    assert.deepEqual([a.settings.layers, a.settings.lambda, a.settings.learningRate, a.settings.steps], ['last', lambdas[input.name], 1e-3, 15]);
    assert.deepEqual([a.guard.every, a.guard.minDice], [1, late ? 0 : 0.9]);
    assert.equal(a.settings.lambda, Math.round((30000 * 2 * input.original.contacts.A.forbiddenPairs) / 420), 'the per-pair rule, from the pairs the original makes');
    if (late) {
      const step = keptStep(a.guard.checks as TrajectoryCheck[], 0.9);
      const read = trajectories.rows.find((r) => r.name === `${input.name}@s${step}`)!;
      assert.deepEqual([read.contacts, read.dice], [input.adapted.contacts, input.adapted.dice], input.name);
    }
  }
  for (const line of summaryTables(result, structures).split('\n')) {
    assert.ok(session8.includes(line), `Session 8 lacks the line ${line}`);
  }
  const passing = result.inputs.filter((i) => i.passes).length;
  assert.ok(readme.includes(designRow(README_DESIGNS.made, result)), `the README lacks ${designRow(README_DESIGNS.made, result)}`);
  assert.ok(session8.includes(`**${passing} of the ${result.inputs.length} copies pass the rule`));
});
