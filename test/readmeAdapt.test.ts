/**
 * The README's "Adapt a model to new scans" figures come from the committed results file `docs/adapt/test.json`
 * (written by `bench/adaptDemo.ts`): the table's means over subjects and the quoted paired intervals are recomputed
 * here from it, so the README and the results cannot drift apart (as test/readme.test.ts does for the demo table).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Score {
  meanDice: number;
  forbiddenContacts: number;
  hdMaxMm: number;
}
interface Interval {
  estimate: number;
  low: number;
  high: number;
}
interface Comparison {
  meanDifference: Interval;
  relativeChange: Interval;
}
interface Arm {
  lambda: number;
  steps: number;
  scores: Score[];
  lccScores: Score[];
  vsBaseline: Record<'meanDice' | 'forbiddenContacts' | 'hdMaxMm', Comparison>;
  vsLcc: Record<'meanDice' | 'forbiddenContacts' | 'hdMaxMm', Comparison>;
}
const results = JSON.parse(readFileSync(path.join(ROOT, 'docs/adapt/test.json'), 'utf8')) as {
  subjects: string[];
  baseline: Score[];
  baselineLcc: Score[];
  arms: Arm[];
};

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** A table row as the README prints it: Dice to 4 decimals, contacts to 1, max Hausdorff to 1. */
const row = (name: string, scores: Score[]) =>
  `| ${name} | ${mean(scores.map((s) => s.meanDice)).toFixed(4)} | ${mean(scores.map((s) => s.forbiddenContacts)).toFixed(1)} | ${mean(scores.map((s) => s.hdMaxMm)).toFixed(1)} |`;
/** A signed figure as the README prints it (U+2212 for minus). */
const signed = (x: number, digits: number) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(digits)}`;
const percentInterval = (c: Comparison) =>
  `${signed(c.relativeChange.estimate * 100, 0)} % [${signed(c.relativeChange.low * 100, 0)}, ${signed(c.relativeChange.high * 100, 0)}]`;

const quoted = results.arms.find((a) => a.lambda === 30000 && a.steps === 100);

test('the adapt table rows are the means of docs/adapt/test.json over its 12 subjects', () => {
  assert.equal(results.subjects.length, 12);
  assert.ok(quoted, 'docs/adapt/test.json has the λ 30 000, 100-step arm the README quotes');
  for (const line of [
    row('baseline', results.baseline),
    row('baseline + largest component per label', results.baselineLcc),
    row('adapted (λ 30 000, 100 steps)', quoted.scores),
    row('adapted + largest component', quoted.lccScores),
  ]) {
    assert.ok(readme.includes(line), `README lacks the row ${line}`);
  }
});

test('the quoted intervals are those of docs/adapt/test.json', () => {
  assert.ok(quoted);
  const contacts = quoted.vsBaseline.forbiddenContacts;
  assert.ok(readme.includes(`contacts ${percentInterval(contacts)}`), `README lacks contacts ${percentInterval(contacts)}`);
  const dice = quoted.vsBaseline.meanDice.meanDifference;
  const dicePoints = `Dice ${signed(dice.estimate * 100, 2)} point\n  [${signed(dice.low * 100, 2)}, ${signed(dice.high * 100, 2)}]`;
  assert.ok(readme.includes(dicePoints), `README lacks ${JSON.stringify(dicePoints)}`);
  const hd = quoted.vsBaseline.hdMaxMm.meanDifference;
  assert.ok(readme.includes(`max Hausdorff ${signed(hd.estimate, 1)} mm [${signed(hd.low, 1)}, ${signed(hd.high, 1)}]`));
  const lccContacts = quoted.vsLcc.forbiddenContacts.meanDifference;
  assert.ok(readme.includes(`(${signed(lccContacts.estimate, 0)} [${signed(lccContacts.low, 0)}, ${signed(lccContacts.high, 0)}])`));
});

test('the quoted last-layer intervals are those of docs/adapt/last-layer-test.json', () => {
  const last = JSON.parse(readFileSync(path.join(ROOT, 'docs/adapt/last-layer-test.json'), 'utf8')) as { settings: { layers: string }; arms: Arm[] };
  assert.equal(last.settings.layers, 'last');
  assert.equal(last.arms.length, 1, 'the one setting chosen on validation');
  const [arm] = last.arms;
  const dice = arm.vsBaseline.meanDice.meanDifference;
  const quote = `contacts ${percentInterval(arm.vsBaseline.forbiddenContacts)}, but\n  Dice ${signed(dice.estimate * 100, 2)} point [${signed(dice.low * 100, 2)}, ${signed(dice.high * 100, 2)}]`;
  assert.ok(readme.includes(quote), `README lacks ${JSON.stringify(quote)}`);
});
