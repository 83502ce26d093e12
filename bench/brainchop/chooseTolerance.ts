/**
 * Session 9 of the brainchop adaptation study (`docs/adapt-brainchop.md`, fixed before any run was scored): the result
 * of `nonadj adapt --check-dice τ` for every τ of a grid, read off runs made with tolerance 0 and every check saved
 * (`--check-dice 0 --save-checks`), by the guard's own rule (`makeAdaptGuard`): stop at the first check where a label's
 * Dice to the original's segmentation falls below τ, keep the passing check with the fewest forbidden contacts (the
 * earliest on a tie). Each τ is then judged as session 8's designs are (`summariseInputs`: the acceptance rule per
 * input, paired bootstrap intervals over the inputs), and τ\* is chosen: the smallest τ at which every input passes,
 * else the one passing the most (the smaller on a tie).
 *
 * `node --import tsx bench/brainchop/chooseTolerance.ts <eval.json> <out.json> <name>=<adapt.json>…` where `eval.json`
 * (`evaluateColin27.ts`) holds a row `<name>@s<n>` for the segmentation of each saved check n of each run (n = 0: the
 * original's). Prints the table of the grid (markdown) and writes `{ tolerances: [{ tau, kept, passes, summary }], chosen }`.
 * With `--at τ,τ…` (the test: τ\* and the control), judges those values only and prints session 8's tables for each.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AdaptCheck } from '../../src/train/makeAdaptGuard.js';
import { summariseInputs, summaryTables, type InputsSummary, type ScoreRow } from './summariseInputs.js';

/** The grid of session 9: 0.90, 0.91, …, 0.99. */
export const TOLERANCES: readonly number[] = Array.from({ length: 10 }, (_, i) => Math.round((0.9 + 0.01 * i) * 100) / 100);

/** The check fields the guard's rule reads. */
export type TrajectoryCheck = Pick<AdaptCheck, 'step' | 'forbiddenContacts' | 'worst'>;

/**
 * The step whose weights `--check-dice tau` keeps, from checks made with tolerance 0 (in step order, the first at
 * step 0, whose `worst` is null): the checks up to the first with a label below `tau` (excluded) are the passing ones;
 * of those, the fewest forbidden contacts, the earliest on a tie.
 *
 * @example
 * // contacts 10, 7, 7, 5; worst Dice –, 0.98, 0.95, 0.91
 * keptStep(checks, 0.9);  // 3 (all pass, fewest contacts)
 * keptStep(checks, 0.93); // 1 (step 3 fails; steps 1 and 2 tie at 7, the earlier kept)
 * keptStep(checks, 0.99); // 0 (step 1 fails)
 */
export function keptStep(checks: readonly TrajectoryCheck[], tau: number): number {
  if (checks.length === 0 || checks[0].step !== 0) throw new Error('keptStep: the checks must start at step 0');
  let best = checks[0];
  for (const c of checks.slice(1)) {
    if (c.worst !== null && c.worst.dice < tau) break;
    if (c.forbiddenContacts < best.forbiddenContacts) best = c;
  }
  return best.step;
}

/** One value of the grid: the step kept for each input, and `summariseInputs`' judgement of those steps. */
export interface ToleranceResult {
  tau: number;
  kept: Record<string, number>;
  passes: number;
  summary: InputsSummary;
}

/**
 * Every τ of `tolerances` judged on the inputs: for each, the row `<name>@s<kept>` of `rows` against `<name>@s0`.
 *
 * @throws Error when a row of a step a run kept is missing.
 */
export function judgeTolerances(
  rows: readonly ScoreRow[],
  runs: ReadonlyArray<{ name: string; checks: readonly TrajectoryCheck[] }>,
  structures: readonly string[],
  tolerances: readonly number[] = TOLERANCES,
): ToleranceResult[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const rowAt = (name: string, step: number) => {
    const r = byName.get(`${name}@s${step}`);
    if (!r) throw new Error(`judgeTolerances: no row ${name}@s${step}`);
    return r;
  };
  return tolerances.map((tau) => {
    const kept: Record<string, number> = {};
    const judged: ScoreRow[] = [];
    for (const run of runs) {
      kept[run.name] = keptStep(run.checks, tau);
      judged.push({ ...rowAt(run.name, 0), name: run.name }, { ...rowAt(run.name, kept[run.name]), name: `kept-${run.name}` });
    }
    const summary = summariseInputs(judged, structures, 'kept-');
    return { tau, kept, passes: summary.inputs.filter((i) => i.passes).length, summary };
  });
}

/** τ\*: the smallest τ at which every input passes, else the one passing the most (the smaller on a tie). */
export function chooseTolerance(results: readonly ToleranceResult[]): ToleranceResult {
  if (results.length === 0) throw new Error('chooseTolerance: no tolerance judged');
  const sorted = [...results].sort((a, b) => a.tau - b.tau);
  // The smallest τ with the most passes: if every input passes at some τ, that count is the most there is.
  return sorted.reduce((best, r) => (r.passes > best.passes ? r : best));
}

/** The grid as a markdown table: passes, the inputs failing, the contacts' and the Dice's changes over the inputs. */
export function toleranceTable(results: readonly ToleranceResult[], structures: readonly string[]): string {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(0)} %`;
  const diff = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;
  const lines = [
    `| τ | inputs passing | failing | steps kept | contacts vs A, median change | vs B | ${structures.map((s) => `${s} Dice, mean change`).join(' | ')} |`,
    `|---|---|---|---|---|---|${structures.map(() => '---|').join('')}`,
  ];
  for (const r of results) {
    const d = (score: string) => r.summary.differences.find((x) => x.score === score)!;
    const failing = r.summary.inputs.filter((i) => !i.passes).map((i) => `${i.name} (${i.why})`);
    lines.push(
      `| ${r.tau.toFixed(2)} | ${r.passes} of ${r.summary.inputs.length} | ${failing.join('; ') || '–'} | ${Object.values(r.kept).join(', ')} | ` +
        `${pct(d('contacts vs A').medianRelative?.estimate ?? NaN)} | ${pct(d('contacts vs B').medianRelative?.estimate ?? NaN)} | ` +
        `${structures.map((s) => diff(d(`${s} Dice`).difference.estimate)).join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--at');
  const fixed = at >= 0 ? args[at + 1]?.split(',').map(Number) : undefined;
  if (at >= 0) args.splice(at, 2);
  const [evalFile, outFile, ...specs] = args;
  if (!evalFile || !outFile || specs.length === 0 || fixed?.some((t) => !(t >= 0 && t <= 1))) {
    throw new Error('usage: chooseTolerance.ts <eval.json> <out.json> [--at τ,τ…] <name>=<adapt.json>…');
  }
  const scores = JSON.parse(readFileSync(evalFile, 'utf8')) as { rows: ScoreRow[]; structures: Array<{ name: string }> };
  const structures = scores.structures.map((s) => s.name);
  const runs = specs.map((spec) => {
    const i = spec.indexOf('=');
    if (i < 1) throw new Error(`expected <name>=<adapt.json>, got ${spec}`);
    const adapt = JSON.parse(readFileSync(spec.slice(i + 1), 'utf8')) as { guard?: { checks: TrajectoryCheck[] } };
    if (!adapt.guard) throw new Error(`${spec.slice(i + 1)} has no guard checks (run adapt with --check-every 1 --check-dice 0 --save-checks)`);
    return { name: spec.slice(0, i), checks: adapt.guard.checks };
  });
  if (fixed) {
    // The test: the tolerances given (τ* and the control), each as session 8's tables.
    const results = judgeTolerances(scores.rows, runs, structures, fixed);
    for (const r of results) process.stdout.write(`τ = ${r.tau.toFixed(2)}, steps kept ${JSON.stringify(r.kept)}\n\n${summaryTables(r.summary, structures)}\n\n`);
    writeFileSync(outFile, JSON.stringify({ tolerances: results }, null, 1) + '\n');
  } else {
    const results = judgeTolerances(scores.rows, runs, structures);
    const chosen = chooseTolerance(results);
    process.stdout.write(`${toleranceTable(results, structures)}\n\nτ* = ${chosen.tau.toFixed(2)}: ${chosen.passes} of ${runs.length} inputs pass\n`);
    writeFileSync(outFile, JSON.stringify({ tolerances: results, chosen: chosen.tau }, null, 1) + '\n');
  }
}
