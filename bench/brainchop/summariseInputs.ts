/**
 * The analysis of session 8 of the brainchop adaptation study (`docs/adapt-brainchop.md`, fixed before the runs were
 * scored): for each input, the original model's row and the adapted one's in an `evaluateColin27.ts` output, judged by
 * the acceptance rule (contacts fall against A and against B, no subcortical Dice falls by more than 0.01); over the
 * inputs, the mean paired difference (adapted − original) of every score with a 95 % percentile bootstrap interval
 * (`bootstrapPairedDifference`, inputs resampled, 2 000 resamples, seed 1).
 *
 * `node --import tsx bench/brainchop/summariseInputs.ts <eval.json> <adapted prefix, e.g. last-> [out.json]` pairs every
 * row `<prefix><name>` with the row `<name>`, and prints the document's tables (markdown) on stdout.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bootstrapPairedDifference, type BootstrapInterval } from '../../src/stats/bootstrapPairedDifference.js';

/** One row of `evaluateColin27.ts`'s output. */
export interface ScoreRow {
  name: string;
  contacts: Record<'A' | 'B', { forbiddenPairs: number; forbiddenContacts: number }>;
  dice: Record<string, number>;
}

/** The acceptance rule's Dice margin: no subcortical Dice may fall by more than this. */
export const DICE_MARGIN = 0.01;

/** Per input and over the inputs. */
export interface InputsSummary {
  inputs: Array<{ name: string; original: ScoreRow; adapted: ScoreRow; passes: boolean; why: string }>;
  /** Score → the mean paired difference over the inputs and the relative change of the means, and the median of the inputs' relative changes, each with its interval. */
  differences: Array<{ score: string; meanOriginal: number; meanAdapted: number; difference: BootstrapInterval; relative: BootstrapInterval | null; medianRelative: BootstrapInterval | null }>;
}

/** The session's analysis of `rows` (see the file's comment); `structures` in the order of the tables. */
export function summariseInputs(rows: readonly ScoreRow[], structures: readonly string[], prefix: string): InputsSummary {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const inputs = rows
    .filter((r) => r.name.startsWith(prefix))
    .map((adapted) => {
      const name = adapted.name.slice(prefix.length);
      const original = byName.get(name);
      if (!original) throw new Error(`summariseInputs: row ${adapted.name} has no original row ${name}`);
      const failures: string[] = [];
      for (const p of ['A', 'B'] as const) {
        if (!(adapted.contacts[p].forbiddenContacts < original.contacts[p].forbiddenContacts)) failures.push(`contacts vs ${p} do not fall`);
      }
      const lost = structures.filter((s) => adapted.dice[s] < original.dice[s] - DICE_MARGIN);
      if (lost.length > 0) failures.push(`${lost.join(', ')} Dice down by more than ${DICE_MARGIN}`);
      return { name, original, adapted, passes: failures.length === 0, why: failures.join('; ') };
    });
  const scores: Array<[string, (r: ScoreRow) => number]> = [
    ['contacts vs A', (r) => r.contacts.A.forbiddenContacts],
    ['contacts vs B', (r) => r.contacts.B.forbiddenContacts],
    ...structures.map((s) => [`${s} Dice`, (r: ScoreRow) => r.dice[s]] as [string, (r: ScoreRow) => number]),
  ];
  const differences = scores.map(([score, of]) => {
    const cells = inputs.map((i) => ({ seed: 1, subject: i.name, arm: of(i.adapted), control: of(i.original) }));
    const b = bootstrapPairedDifference(cells, { resamples: 2000, seed: 1 });
    const mean = (f: (i: (typeof inputs)[number]) => number) => inputs.reduce((a, i) => a + f(i), 0) / inputs.length;
    return { score, meanOriginal: mean((i) => of(i.original)), meanAdapted: mean((i) => of(i.adapted)), difference: b.meanDifference, relative: b.relativeChange, medianRelative: b.medianRelativeChange };
  });
  return { inputs, differences };
}

/** The document's tables for a summary: one row per input, then the differences over the inputs. */
export function summaryTables(s: InputsSummary, structures: readonly string[]): string {
  const cell = (c: { forbiddenContacts: number; forbiddenPairs: number }) => `${c.forbiddenContacts} (${c.forbiddenPairs})`;
  const dice = (r: ScoreRow) => structures.map((st) => r.dice[st].toFixed(3)).join(' | ');
  const lines = [
    `| input | model | forbidden contacts (pairs) vs A | vs B | ${structures.join(' | ')} | rule |`,
    `|---|---|---|---|${structures.map(() => '---|').join('')}---|`,
  ];
  for (const i of s.inputs) {
    lines.push(`| ${i.name} | original | ${cell(i.original.contacts.A)} | ${cell(i.original.contacts.B)} | ${dice(i.original)} | |`);
    lines.push(`| ${i.name} | adapted | ${cell(i.adapted.contacts.A)} | ${cell(i.adapted.contacts.B)} | ${dice(i.adapted)} | ${i.passes ? '**passes**' : `fails (${i.why})`} |`);
  }
  const f = (x: number, digits: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(digits));
  const interval = (b: BootstrapInterval, digits: number) => `${f(b.estimate, digits)} [${f(b.low, digits)}, ${f(b.high, digits)}]`;
  lines.push('', `| score, over the ${s.inputs.length} inputs | mean, original | mean, adapted | adapted − original, 95 % interval | relative change of the means | median of the inputs' relative changes |`, '|---|---|---|---|---|---|');
  for (const d of s.differences) {
    const digits = d.score.startsWith('contacts') ? 1 : 4;
    const pct = (b: BootstrapInterval) => `${(100 * b.estimate).toFixed(0)} % [${(100 * b.low).toFixed(0)}, ${(100 * b.high).toFixed(0)}]`;
    lines.push(`| ${d.score} | ${f(d.meanOriginal, digits)} | ${f(d.meanAdapted, digits)} | ${interval(d.difference, digits)} | ${d.relative ? pct(d.relative) : '–'} | ${d.medianRelative ? pct(d.medianRelative) : '–'} |`);
  }
  return lines.join('\n');
}

/** The README's names of the designs in its table (`designRow`). */
export const README_DESIGNS = {
  full: 'full prior A, `--check-dice 0.9` (session 8: Colin27 and 8 copies)',
  made: '`--pairs made`, `--check-dice 0.9` (sessions 8–9: the same 8 copies)',
  test: '`--pairs made`, `--check-dice 0.98` (session 9 test: 8 new copies; 0.98 chosen on the 8 copies above)',
  control: '`--pairs made`, `--check-dice 0.9` (session 9 test, the control: the same 8 new copies)',
} as const;

/**
 * One row of the README's table of designs (`| design | inputs passing | contacts vs A | vs B | pallidum Dice |`):
 * the inputs passing the rule, the median of the inputs' relative changes of the contacts, and the pallidum's mean
 * Dice change with its 95 % interval (the structure every design eroded first).
 */
export function designRow(design: string, s: InputsSummary): string {
  const d = (score: string) => s.differences.find((x) => x.score === score)!;
  const pct = (x: number) => {
    const r = Math.round(100 * x);
    return r === 0 ? '0 %' : `${r < 0 ? '−' : '+'}${Math.abs(r)} %`;
  };
  const num = (x: number) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(3)}`;
  const pallidum = d('pallidum Dice').difference;
  return (
    `| ${design} | ${s.inputs.filter((i) => i.passes).length} of ${s.inputs.length} | ${pct(d('contacts vs A').medianRelative!.estimate)} | ` +
    `${pct(d('contacts vs B').medianRelative!.estimate)} | ${num(pallidum.estimate)} [${num(pallidum.low)}, ${num(pallidum.high)}] |`
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, prefix, out] = process.argv.slice(2);
  if (!file || !prefix) throw new Error('usage: summariseInputs.ts <eval.json> <adapted prefix> [out.json]');
  const scores = JSON.parse(readFileSync(file, 'utf8')) as { structures: Array<{ name: string }>; rows: ScoreRow[] };
  const structures = scores.structures.map((s) => s.name);
  const summary = summariseInputs(scores.rows, structures, prefix);
  if (out) writeFileSync(out, JSON.stringify(summary, null, 1) + '\n');
  process.stdout.write(summaryTables(summary, structures) + '\n');
}
