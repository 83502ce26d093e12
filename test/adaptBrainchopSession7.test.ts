/**
 * The tables of `docs/adapt-brainchop.md`'s "Session 7" (the adaptation guard on Colin27) come from the files committed
 * beside it in `docs/adapt/session7/`: `eval.json` (`bench/brainchop/evaluateColin27.ts`), each run's `adapt.json`
 * (as `adapt-<run>.json`, with the guard's checks) and its `/usr/bin/time -v` report (`time-<run>.txt`). Every row is
 * rebuilt here from them, so the document and the measurements cannot drift apart.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIR = path.join(ROOT, 'docs', 'adapt', 'session7');
const doc = readFileSync(path.join(ROOT, 'docs', 'adapt-brainchop.md'), 'utf8');
const session7 = doc.slice(doc.indexOf('## Session 7'));

interface Contacts { forbiddenPairs: number; forbiddenContacts: number }
const scores = JSON.parse(readFileSync(path.join(DIR, 'eval.json'), 'utf8')) as {
  structures: Array<{ name: string }>;
  rows: Array<{ name: string; contacts: Record<'A' | 'B', Contacts>; dice: Record<string, number> }>;
};
interface Adapt {
  settings: { lambda: number; learningRate: number; seed: number };
  stepsDone: number;
  guard: { minDice: number; every: number; bestStep: number; stoppedAtStep: number | null; checks: Array<{ step: number; forbiddenContacts: number; forbiddenPairs: number; worst: { label: number; dice: number } | null; passed: boolean }> };
}
const adaptOf = (name: string) => JSON.parse(readFileSync(path.join(DIR, `adapt-${name}.json`), 'utf8')) as Adapt;

/** 137429 → "137 429", as the document writes numbers. */
const spaced = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
/** The document's name of a run: its setting. */
const runLabel = (a: Adapt) =>
  `λ ${spaced(a.settings.lambda)}, lr ${a.settings.learningRate.toExponential()}, seed ${a.settings.seed}, check every ${a.guard.every === 1 ? 'step' : `${a.guard.every} steps`}`;
const cell = (c: Contacts) => `${c.forbiddenContacts} (${c.forbiddenPairs})`;

test('Session 7: every row of the results table is eval.json\'s, with the steps done and kept from the run\'s adapt.json', () => {
  assert.ok(scores.rows.length >= 2 && scores.rows[0].name === 'orig');
  for (const r of scores.rows) {
    const head = r.name === 'orig' ? '| original | – |' : (() => {
      const a = adaptOf(r.name);
      return `| ${runLabel(a)} | ${a.stepsDone} (${a.guard.bestStep}) |`;
    })();
    const line = `${head} ${cell(r.contacts.A)} | ${cell(r.contacts.B)} | ${scores.structures.map((s) => r.dice[s.name].toFixed(3)).join(' | ')} |`;
    assert.ok(session7.includes(line), `Session 7 lacks the row ${line}`);
  }
});

test('Session 7: every check of every run is in the checks table, the worst label named from prior A', async () => {
  const prior = await AdjacencyPrior.read(path.join(ROOT, 'docs', 'adapt', 'colin27', 'prior-A', 'graph.json'));
  for (const r of scores.rows.filter((row) => row.name !== 'orig')) {
    const a = adaptOf(r.name);
    assert.equal(a.guard.minDice, 0.9, 'the default tolerance, fixed before the runs');
    for (const c of a.guard.checks) {
      const worst = c.worst === null ? 'the reference' : `${prior.nameOf(prior.indexOfLabel(c.worst.label))} ${c.worst.dice.toFixed(3)}`;
      const verdict = `${c.passed ? 'passed' : 'failed'}${c.step === a.guard.bestStep ? ', kept' : ''}`;
      const line = `| ${runLabel(a)} | ${c.step} | ${cell(c)} | ${worst} | ${verdict} |`;
      assert.ok(session7.includes(line), `Session 7 lacks the check ${line}`);
    }
    // The run's final segmentation is the kept check's weights: its contacts against A are that check's.
    const kept = a.guard.checks.find((c) => c.step === a.guard.bestStep);
    assert.ok(kept);
    assert.deepEqual([r.contacts.A.forbiddenContacts, r.contacts.A.forbiddenPairs], [kept.forbiddenContacts, kept.forbiddenPairs]);
  }
});

test('Session 7: the cost rows are the runs\' time -v reports (user + system CPU s, peak RSS)', () => {
  for (const r of scores.rows.filter((row) => row.name !== 'orig')) {
    const text = readFileSync(path.join(DIR, `time-${r.name}.txt`), 'utf8');
    const num = (re: RegExp) => Number((re.exec(text) ?? assert.fail(`time-${r.name}.txt: no ${re}`))[1]);
    const cpu = Math.round(num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/));
    const rss = (num(/Maximum resident set size \(kbytes\): (\d+)/) / 1e6).toFixed(1);
    const line = `| ${runLabel(adaptOf(r.name))} | ${spaced(cpu)} | ${rss} GB |`;
    assert.ok(session7.includes(line), `Session 7 lacks the cost row ${line}`);
  }
});
