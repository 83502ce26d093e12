/**
 * `nonadj demo --quick` end to end (a few minutes on 2 cores): the report's numbers must be the runs' own — the
 * logs of the run folders, the λ heuristic of the auto run's warm-up, and Dice / forbidden contacts recomputed
 * here from the saved predictions with an independent Dice.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { DemoReport } from '../../src/demo/runDemo.js';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { checkSegmentation } from '../../src/metric/checkSegmentation.js';
import { readNiftiFile } from '../../src/volume/niftiFile.js';
import { runCli } from '../helpers/runCliSnapshot.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-cli-demo-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('demo refuses a non-empty folder that holds no demo, unless --force', () => {
  const other = path.join(tmp, 'other');
  mkdirSync(other);
  writeFileSync(path.join(other, 'notes.txt'), 'mine');
  const r = runCli(['demo', '--quick', '--out', other]);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /is not empty \(notes\.txt\) and holds no demo; choose an empty --out, or --force/);
  const resume = runCli(['demo', '--quick', '--out', other, '--resume']);
  assert.equal(resume.exitCode, 2);
  assert.match(resume.stderr, /holds no demo \(demo\.json missing\)/);
  const both = runCli(['demo', '--quick', '--full', '--out', path.join(tmp, 'x')]);
  assert.equal(both.exitCode, 2);
  assert.match(both.stderr, /--quick and --full exclude each other/);
  const replicates = runCli(['demo', '--quick', '--replicates', '3', '--out', path.join(tmp, 'y')]);
  assert.equal(replicates.exitCode, 2);
  assert.match(replicates.stderr, /--replicates runs the replicated experiment: give it without --quick or --full/);
  assert.ok(!existsSync(path.join(tmp, 'y')));
});

test('demo --data-only writes the subjects and the prior, and no run', () => {
  const out = path.join(tmp, 'data-only');
  const r = runCli(['demo', '--quick', '--data-only', '--out', out]);
  assert.equal(r.exitCode, 0, r.stderr.slice(-2000));
  assert.match(r.stdout, /^data: \S+data \(continue the demo with --resume\)\n$/);
  assert.ok(existsSync(path.join(out, 'data', 'prior', 'graph.json')));
  assert.ok(existsSync(path.join(out, 'data', 'cohort.json')));
  for (const set of ['train/s000', 'train/s001', 'val/s000', 'unseen-val/s000', 'test/s000', 'unseen-test/s000']) assert.ok(existsSync(path.join(out, 'data', set, 'prepro_seg_mni.nii.gz')), set);
  for (const pool of ['unseen-train', 'unlabelled-train']) {
    assert.ok(existsSync(path.join(out, 'data', pool, 's000', 'prepro_im_mni_bc.nii.gz')), pool);
    assert.ok(!existsSync(path.join(out, 'data', pool, 's000', 'prepro_seg_mni.nii.gz')), `${pool}: unlabelled by design`);
  }
  assert.ok(!existsSync(path.join(out, 'runs')));
});

/** Dice of one label, written independently of src/metric. */
function dice(a: ArrayLike<number>, b: ArrayLike<number>, label: number): number | null {
  let inter = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === label, y = b[i] === label;
    if (x) na++;
    if (y) nb++;
    if (x && y) inter++;
  }
  return na + nb === 0 ? null : (2 * inter) / (na + nb);
}

test('demo --quick: every number of the report comes from the runs; --resume redoes only what is missing', { timeout: 1_800_000 }, async () => {
  const out = path.join(tmp, 'quick');
  const r = runCli(['demo', '--quick', '--out', out]);
  assert.equal(r.exitCode, 0, r.stderr.slice(-2000));
  for (const f of ['report.json', 'report.md', 'report.html']) assert.ok(existsSync(path.join(out, f)), f);
  const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as DemoReport;
  const arms = ['control', 'lambda-0.1x', 'lambda-0.3x', 'lambda-1x', 'lambda-3x', 'lambda-10x', 'auto', 'semi', 'semi-control'];
  assert.deepEqual(report.runs.map((x) => x.name), ['baseline', ...arms].flatMap((n) => [n, `${n}+lcc`, `${n}+repair`]));
  assert.deepEqual(report.seeds, [1]);

  // Logs: the run folders' log.jsonl, line for line; the same steps for every arm; the command is the one recorded.
  for (const row of report.runs.filter((x) => arms.includes(x.name))) {
    assert.equal(row.runs.length, 1, row.name);
    const [run] = row.runs;
    const folder = path.join(out, 'runs', row.name, `s${run.seed}`);
    const log = readFileSync(path.join(folder, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(run.log, log, row.name);
    assert.equal(run.steps, report.plan.fineTune.epochs * report.plan.fineTune.steps, row.name);
    const saved = JSON.parse(readFileSync(path.join(folder, 'command.json'), 'utf8'));
    assert.equal(saved.spec.lambda, run.lambda, row.name);
    assert.match(run.command, new RegExp(`^nonadj train .* --out ${folder.replace(/[.+]/g, '\\$&')} `));
    // Only λ auto validates during training (the others keep their last epoch, after the same steps).
    assert.equal(saved.spec.valSplit === 0 && saved.spec.val === undefined, row.name !== 'auto', row.name);
  }
  // λ: the reference heuristic is auto's λ after its warm-up, 0.3 × training Dice coefficient / NonAdjLoss of that
  // epoch; the fixed arms are multiples of it (4 significant digits).
  const auto = report.runs.find((x) => x.name === 'auto')!.runs[0];
  const warm = auto.log[0].train;
  const h = report.heuristic[0].lambda;
  assert.equal(h, auto.log[1].lambda);
  assert.ok(warm.diceCoefficient! > 0 && warm.diceCoefficient! <= 1);
  assert.ok(Math.abs(h - (0.3 * warm.diceCoefficient!) / warm.nonAdjacency) <= 1e-6 * h, 'heuristic = 0.3 × Dice coefficient / NonAdj of the warm-up');
  const lam = (name: string) => report.runs.find((x) => x.name === name)!.runs[0].lambda;
  assert.equal(lam('control'), 0);
  for (const [name, m] of [['lambda-0.1x', 0.1], ['lambda-1x', 1], ['lambda-10x', 10], ['semi', 1], ['semi-control', 1]] as const) {
    assert.equal(lam(name), Number((m * h).toPrecision(4)), name);
  }
  assert.match(report.runs.find((x) => x.name === 'semi')!.runs[0].command, /--semi \S+unseen-train/);
  assert.match(report.runs.find((x) => x.name === 'semi-control')!.runs[0].command, /--semi \S+unlabelled-train/);

  // Scores: recomputed from the saved predictions and the truths, with an independent Dice.
  const prior = await AdjacencyPrior.read(report.prior.file);
  for (const row of report.runs) {
    // Every row on the test subjects; the baseline on all four sets; control and fixed λ also on validation (the decision).
    const expected = row.postprocess ? 2 : row.name === 'baseline' ? 4 : row.kind === 'control' || row.kind === 'lambda' ? 3 : 2;
    assert.equal(row.subjects.length, expected, row.name);
    for (const s of row.subjects) {
      const key = row.base === 'baseline' ? row.name : `${row.base}/s${s.seed}${row.postprocess ? `+${row.postprocess}` : ''}`;
      const pred = await readNiftiFile(path.join(out, 'predictions', key, s.set, `${s.id}.nii.gz`));
      const truth = await readNiftiFile(path.join(out, 'data', s.set, s.id, 'prepro_seg_mni.nii.gz'));
      const labels = [...new Set([...pred.data, ...truth.data].map(Number))].filter((l) => l !== 0).sort((a, b) => a - b);
      const dices = labels.map((l) => dice(pred.data, truth.data, l)!);
      const meanDice = dices.reduce((a, b) => a + b, 0) / dices.length;
      assert.ok(Math.abs(meanDice - s.meanDice!) < 1e-9, `${row.name} ${s.set}/${s.id}: Dice ${s.meanDice} vs ${meanDice}`);
      const check = checkSegmentation(pred, prior);
      assert.equal(s.forbiddenContacts, check.forbiddenContacts, `${row.name} ${s.set}/${s.id}`);
      assert.equal(s.forbiddenPairs, check.forbiddenPairs, `${row.name} ${s.set}/${s.id}`);
    }
    const t = row.subjects.filter((s) => s.set === 'test');
    assert.equal(row.domains.test!.meanDice, t.reduce((a, s) => a + s.meanDice!, 0) / t.length);
  }
  // Post-processing never adds forbidden contacts to a prediction.
  for (const base of ['baseline', ...arms]) {
    const [raw, repaired] = [base, `${base}+repair`].map((n) => report.runs.find((x) => x.name === n)!);
    for (const r of repaired.subjects) {
      const s = raw.subjects.find((x) => x.set === r.set && x.id === r.id && x.seed === r.seed)!;
      assert.ok(r.forbiddenContacts <= s.forbiddenContacts, `${base} ${r.set}/${r.id}`);
    }
  }
  // The comparisons come from these rows: every row but the control, on each domain and metric.
  const control = report.runs.find((x) => x.name === 'control')!;
  const l3 = report.comparisons.find((c) => c.run === 'lambda-3x' && c.domain === 'test' && c.metric === 'dice')!;
  const l3row = report.runs.find((x) => x.name === 'lambda-3x')!;
  assert.ok(Math.abs(l3.meanDifference.estimate - 100 * (l3row.domains.test!.meanDice - control.domains.test!.meanDice)) < 1e-9);
  assert.ok(report.comparisons.every((c) => c.run !== 'control'));
  // The decision was taken on validation rows; the truth floor covers every held-out subject.
  assert.ok(report.decision.candidates.length === 5);
  assert.equal(report.truth.length, 4);

  // The page is self-contained: no external reference.
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);

  // A second run without --resume is refused; --resume after losing an evaluation redoes it to the same numbers.
  const again = runCli(['demo', '--quick', '--out', out]);
  assert.equal(again.exitCode, 2);
  assert.match(again.stderr, /already holds a demo; continue it with --resume/);
  rmSync(path.join(out, 'eval', 'lambda-1x', 's1.json'));
  rmSync(path.join(out, 'report.json'));
  const resumed = runCli(['demo', '--quick', '--out', out, '--resume']);
  assert.equal(resumed.exitCode, 0, resumed.stderr.slice(-2000));
  assert.match(resumed.stderr, /auto\/s1 already completed/);
  const report2 = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as DemoReport;
  assert.deepEqual(report2.runs.map((x) => x.subjects), report.runs.map((x) => x.subjects));
});
