/**
 * The first brainchop-on-Colin27 adaptation table of `docs/adapt-brainchop.md` (session 5: every layer on 64³
 * patches) comes from the committed results file `docs/adapt/colin27.json` (gathered by
 * `bench/brainchop/collectColin27.ts`): every row is rebuilt here from it, so the document and the measurements cannot
 * drift apart; the priors it was scored against are the committed graph.json files.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const doc = readFileSync(path.join(ROOT, 'docs', 'adapt-brainchop.md'), 'utf8');

interface Row {
  name: string;
  contacts: Record<string, { forbiddenPairs: number; forbiddenContacts: number }>;
  dice: Record<string, number>;
}
const results = JSON.parse(readFileSync(path.join(ROOT, 'docs/adapt/colin27.json'), 'utf8')) as {
  scores: { priors: Array<{ name: string; forbiddenOrderedPairs: number }>; structures: Array<{ name: string }>; rows: Row[] };
  runs: Record<string, { stepsDone: number; settings: { lambda: number; patch: number[] } }>;
};

/** The README's name of a row of the results. */
function label(name: string): string {
  const lcc = name.endsWith('+lcc') ? ' + largest component' : '';
  const base = name.replace(/\+lcc$/, '');
  if (base === 'orig') return `original${lcc}`;
  const seed = /^adapted-seed(\d+)$/.exec(base);
  assert.ok(seed, `unexpected row ${name}`);
  return `adapted, seed ${seed[1]} (${results.runs[base].stepsDone} steps)${lcc}`;
}
const cell = (c: { forbiddenPairs: number; forbiddenContacts: number }) => `${c.forbiddenContacts} (${c.forbiddenPairs})`;
const line = (r: Row) =>
  `| ${label(r.name)} | ${cell(r.contacts.A)} | ${cell(r.contacts.B)} | ${results.scores.structures.map((s) => r.dice[s.name].toFixed(3)).join(' | ')} |`;

test('every row of the session-5 table of docs/adapt-brainchop.md is the one docs/adapt/colin27.json gives', () => {
  assert.ok(results.scores.rows.length >= 2, 'the original and at least one adapted run');
  for (const r of results.scores.rows) {
    assert.ok(doc.includes(line(r)), `docs/adapt-brainchop.md lacks the row ${line(r)}`);
  }
});

test('the committed priors are the ones the results were scored against (same forbidden ordered pairs)', async () => {
  for (const [name, file] of [['A', 'docs/adapt/colin27/prior-A/graph.json'], ['B', 'docs/adapt/colin27/prior-B/graph.json']] as const) {
    const prior = await AdjacencyPrior.read(path.join(ROOT, file));
    const scored = results.scores.priors.find((p) => p.name === name);
    assert.ok(scored, `colin27.json scores against prior ${name}`);
    assert.equal(prior.forbiddenOrderedPairs, scored.forbiddenOrderedPairs, file);
    assert.equal(prior.numLabels, 50);
  }
});

test('λ of every adapted run follows the stated rule: 30 000 × nForbidden(A) / 420 (the demo prior\'s)', () => {
  const a = results.scores.priors.find((p) => p.name === 'A');
  assert.ok(a);
  for (const run of Object.values(results.runs)) assert.equal(run.settings.lambda, Math.round((30000 * a.forbiddenOrderedPairs) / 420));
});
