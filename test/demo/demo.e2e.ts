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
  const cohort = runCli(['demo', '--cohort', 'varied', '--out', path.join(tmp, 'y')]);
  assert.equal(cohort.exitCode, 2);
  assert.match(cohort.stderr, /--cohort makes data only: give it with --data-only, without --quick or --full/);
  assert.ok(!existsSync(path.join(tmp, 'y')));
});

test('demo --data-only writes the subjects and the prior, and no run', () => {
  const out = path.join(tmp, 'data-only');
  const r = runCli(['demo', '--quick', '--data-only', '--out', out]);
  assert.equal(r.exitCode, 0, r.stderr.slice(-2000));
  assert.match(r.stdout, /^data: \S+data \(continue the demo with --resume\)\n$/);
  assert.ok(existsSync(path.join(out, 'data', 'prior', 'graph.json')));
  for (const set of ['train/s000', 'train/s001', 'val/s000', 'test/s000', 'unseen-test/s000']) assert.ok(existsSync(path.join(out, 'data', set, 'prepro_seg_mni.nii.gz')), set);
  assert.ok(existsSync(path.join(out, 'data', 'unseen-train', 's000', 'prepro_im_mni_bc.nii.gz')));
  assert.ok(!existsSync(path.join(out, 'data', 'unseen-train', 's000', 'prepro_seg_mni.nii.gz')), 'unlabelled by design');
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

test('demo --quick: every number of the report comes from the runs; --resume redoes only what is missing', { timeout: 600_000 }, async () => {
  const out = path.join(tmp, 'quick');
  const r = runCli(['demo', '--quick', '--out', out]);
  assert.equal(r.exitCode, 0, r.stderr.slice(-2000));
  for (const f of ['report.json', 'report.md', 'report.html']) assert.ok(existsSync(path.join(out, f)), f);
  const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as DemoReport;
  assert.deepEqual(report.runs.map((x) => x.name), ['baseline', 'control', 'lambda-0.3h', 'lambda-1h', 'lambda-3h', 'auto', 'semi', 'baseline+repair']);

  // Logs: the run folders' log.jsonl, line for line; steps matched across the fine-tunes.
  for (const run of report.runs.filter((x) => !x.name.startsWith('baseline'))) {
    const log = readFileSync(path.join(out, 'runs', run.name, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(run.log, log, run.name);
    assert.equal(run.steps, report.plan.fineTune.epochs * report.plan.fineTune.steps, run.name);
    // The printed command is the one the run recorded.
    const saved = JSON.parse(readFileSync(path.join(out, 'runs', run.name, 'command.json'), 'utf8'));
    assert.equal(saved.flags.lambda, run.lambda, run.name);
    assert.match(run.command, new RegExp(`^nonadj train .* --out ${path.join(out, 'runs', run.name).replace(/[.+]/g, '\\$&')} `));
  }
  // λ: the heuristic is the auto run's λ after its warm-up; the fixed runs are 0.3, 1, 3 × it (4 significant digits).
  const auto = report.runs.find((x) => x.name === 'auto')!;
  assert.equal(report.heuristicLambda, auto.log[1].lambda);
  const warm = auto.log[0].train;
  assert.ok(Math.abs(report.heuristicLambda - (0.3 * warm.dice) / warm.nonAdjacency) <= 1e-6 * report.heuristicLambda, 'heuristic = 0.3 × Dice / NonAdj of the warm-up');
  const lam = (name: string) => report.runs.find((x) => x.name === name)!.lambda as number;
  assert.equal(lam('control'), 0);
  for (const [name, k] of [['lambda-0.3h', 0.3], ['lambda-1h', 1], ['lambda-3h', 3], ['semi', 1]] as const) {
    assert.equal(lam(name), Number((k * report.heuristicLambda).toPrecision(4)), name);
  }
  assert.match(report.runs.find((x) => x.name === 'semi')!.command, /--semi \S+unseen-train/);

  // Scores: recomputed from the saved predictions and the truths.
  const prior = await AdjacencyPrior.read(report.prior.file);
  for (const run of report.runs) {
    assert.equal(run.subjects.length, 2, run.name);
    for (const s of run.subjects) {
      const pred = await readNiftiFile(path.join(out, 'predictions', run.name, s.set, `${s.id}.nii.gz`));
      const truth = await readNiftiFile(path.join(out, 'data', s.set, s.id, 'prepro_seg_mni.nii.gz'));
      const labels = [...new Set([...pred.data, ...truth.data].map(Number))].filter((l) => l !== 0).sort((a, b) => a - b);
      const dices = labels.map((l) => dice(pred.data, truth.data, l)!);
      const meanDice = dices.reduce((a, b) => a + b, 0) / dices.length;
      assert.ok(Math.abs(meanDice - s.meanDice!) < 1e-9, `${run.name} ${s.set}/${s.id}: Dice ${s.meanDice} vs ${meanDice}`);
      const check = checkSegmentation(pred, prior);
      assert.equal(s.forbiddenContacts, check.forbiddenContacts, `${run.name} ${s.set}/${s.id}`);
      assert.equal(s.forbiddenPairs, check.forbiddenPairs, `${run.name} ${s.set}/${s.id}`);
      const collapsed = s.structures.filter((x) => x.predictionVoxels < x.truthVoxels / 2).map((x) => x.name);
      assert.deepEqual(s.collapsed, collapsed);
    }
    const t = run.subjects.filter((s) => s.set === 'test');
    assert.equal(run.domains.test!.meanDice, t.reduce((a, s) => a + s.meanDice!, 0) / t.length);
  }
  // The comparison with the control is computed from these runs' own domain means.
  const control = report.runs.find((x) => x.name === 'control')!;
  const l3 = report.comparisons.find((c) => c.run === 'lambda-3h' && c.domain === 'test')!;
  const l3run = report.runs.find((x) => x.name === 'lambda-3h')!;
  assert.ok(Math.abs(l3.diceDeltaPoints - 100 * (l3run.domains.test!.meanDice - control.domains.test!.meanDice)) < 1e-9);
  assert.equal(report.comparisons.length, 2 * (report.runs.length - 1));

  // The repaired baseline never has more forbidden contacts than the baseline.
  const [base, repaired] = ['baseline', 'baseline+repair'].map((n) => report.runs.find((x) => x.name === n)!);
  for (const [i, s] of repaired.subjects.entries()) assert.ok(s.forbiddenContacts <= base.subjects[i].forbiddenContacts);

  // The page is self-contained: no external reference.
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
  assert.equal((html.match(/<img /g) ?? []).length, 2 + report.runs.length + 1);

  // A second run without --resume is refused; --resume after losing an evaluation redoes it to the same numbers.
  const again = runCli(['demo', '--quick', '--out', out]);
  assert.equal(again.exitCode, 2);
  assert.match(again.stderr, /already holds a demo; continue it with --resume/);
  rmSync(path.join(out, 'eval', 'lambda-1h.json'));
  rmSync(path.join(out, 'report.json'));
  const resumed = runCli(['demo', '--quick', '--out', out, '--resume']);
  assert.equal(resumed.exitCode, 0, resumed.stderr.slice(-2000));
  assert.match(resumed.stderr, /auto already completed/);
  const report2 = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as DemoReport;
  assert.deepEqual(report2.runs.map((x) => x.subjects), report.runs.map((x) => x.subjects));
});
