import { bootstrapPairedDifference, type PairedCell } from '../stats/bootstrapPairedDifference.js';
import type { DemoPlan } from './demoPlan.js';
import type {
  ArmComparison,
  AutoLambdaSummary,
  ComparedMetric,
  DemoArmRun,
  DemoDomain,
  DemoRunReport,
  DomainSummary,
  HeadlineDecision,
  SubjectScores,
} from './demoReport.js';

const DOMAINS: readonly DemoDomain[] = ['val', 'unseen-val', 'test', 'unseen-test'];
const METRICS: readonly ComparedMetric[] = ['dice', 'forbiddenContacts', 'forbiddenPairs', 'hausdorffMaxMm', 'extraComponents'];

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const sd = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

/** The value of one metric in a subject's scores (Dice in points × 100), or null when it has none. */
export function metricValue(s: SubjectScores, metric: ComparedMetric): number | null {
  switch (metric) {
    case 'dice':
      return s.meanDice === null ? null : 100 * s.meanDice;
    case 'forbiddenContacts':
      return s.forbiddenContacts;
    case 'forbiddenPairs':
      return s.forbiddenPairs;
    case 'hausdorffMaxMm':
      return s.meanHausdorffMaxMm;
    case 'extraComponents':
      return s.extraComponents;
  }
}

/**
 * Means of a row on one domain over its seeds × subjects, and the standard deviation over seeds of the per-seed
 * means (null for the baseline, which has one model for every seed). Null when the row has no subject there.
 */
export function summariseDomain(subjects: readonly SubjectScores[], domain: DemoDomain): DomainSummary | null {
  const ss = subjects.filter((s) => s.set === domain);
  if (ss.length === 0) return null;
  const seeds = [...new Set(ss.map((s) => s.seed))];
  const perSeed = (f: (s: SubjectScores) => number) => seeds.map((seed) => mean(ss.filter((s) => s.seed === seed).map(f)));
  const withValue = (f: (s: SubjectScores) => number | null) => {
    const xs = ss.map(f).filter((x): x is number => x !== null);
    return xs.length ? mean(xs) : null;
  };
  const perStructure = new Map<string, number[]>();
  for (const s of ss) for (const st of s.structures) if (st.dice !== null) perStructure.set(st.name, [...(perStructure.get(st.name) ?? []), st.dice]);
  const baseline = seeds.length === 1 && seeds[0] === null;
  return {
    subjects: new Set(ss.map((s) => s.id)).size,
    seeds: baseline ? 0 : seeds.length,
    meanDice: mean(ss.map((s) => s.meanDice ?? 0)),
    sdDiceOverSeeds: baseline ? null : sd(perSeed((s) => s.meanDice ?? 0)),
    meanHausdorff95Mm: withValue((s) => s.meanHausdorff95Mm),
    meanHausdorffMaxMm: withValue((s) => s.meanHausdorffMaxMm),
    extraComponents: mean(ss.map((s) => s.extraComponents)),
    forbiddenPairs: mean(ss.map((s) => s.forbiddenPairs)),
    forbiddenContacts: mean(ss.map((s) => s.forbiddenContacts)),
    sdContactsOverSeeds: baseline ? null : sd(perSeed((s) => s.forbiddenContacts)),
    collapsed: mean(ss.map((s) => s.collapsed.length)),
    perStructureDice: Object.fromEntries([...perStructure].map(([k, v]) => [k, mean(v)])),
  };
}

/** Every domain's summary of a row's subjects. */
export function summariseDomains(subjects: readonly SubjectScores[]): Record<DemoDomain, DomainSummary | null> {
  return Object.fromEntries(DOMAINS.map((d) => [d, summariseDomain(subjects, d)])) as Record<DemoDomain, DomainSummary | null>;
}

/**
 * The paired cells of a row against the control on one domain and metric: for every (seed, subject) of the
 * control, the row's value for the same seed and subject — the baseline (seed null) is one model, so its value
 * stands against every seed of the control. Null when a cell is missing or has no value (a structure absent from
 * a map leaves HD100 undefined): a bootstrap needs the complete crossed design.
 */
export function pairedCells(row: readonly SubjectScores[], control: readonly SubjectScores[], domain: DemoDomain, metric: ComparedMetric): PairedCell[] | null {
  const byKey = new Map(row.filter((s) => s.set === domain).map((s) => [`${s.seed}/${s.id}`, s]));
  const cells: PairedCell[] = [];
  for (const c of control.filter((s) => s.set === domain)) {
    const r = byKey.get(`${c.seed}/${c.id}`) ?? byKey.get(`null/${c.id}`);
    if (!r) return null;
    const [a, b] = [metricValue(r, metric), metricValue(c, metric)];
    if (a === null || b === null) return null;
    cells.push({ seed: c.seed ?? 0, subject: c.id, arm: a, control: b });
  }
  return cells.length ? cells : null;
}

/**
 * Every row but the control against the control (same seed, same subject), per domain and metric, with 95 %
 * two-level bootstrap intervals (`bootstrapPairedDifference`: seeds and subjects resampled, crossed). Relative
 * changes are given for contacts and pairs. Seeded, so the same runs give the same intervals.
 */
export function compareWithControl(rows: readonly DemoRunReport[], controlName = 'control', resamples = 2000): ArmComparison[] {
  const control = rows.find((r) => r.name === controlName);
  if (!control) throw new Error(`compareWithControl: no row named ${controlName}`);
  const out: ArmComparison[] = [];
  for (const row of rows) {
    if (row === control) continue;
    for (const domain of DOMAINS) {
      for (const metric of METRICS) {
        const cells = pairedCells(row.subjects, control.subjects, domain, metric);
        if (!cells) continue;
        const b = bootstrapPairedDifference(cells, { resamples, seed: 1 });
        const relative = metric === 'forbiddenContacts' || metric === 'forbiddenPairs';
        out.push({
          run: row.name,
          domain,
          metric,
          seeds: b.seeds,
          subjects: b.subjects,
          meanDifference: b.meanDifference,
          relativeChange: relative ? b.relativeChange : null,
          medianRelativeChange: relative ? b.medianRelativeChange : null,
          perSeed: b.perSeed.map((p) => ({ seed: Number(p.seed), meanRow: p.meanArm, meanControl: p.meanControl, meanDifference: p.meanDifference })),
        });
      }
    }
  }
  return out;
}

/**
 * The headline row, chosen on the validation subjects of the training domain before any test number is computed:
 * the largest λ multiplier whose mean validation Dice is within `plan.headlineMaxDiceCostPoints` points of the
 * control's (the rule is fixed in the plan, in advance).
 */
export function decideHeadline(rows: readonly DemoRunReport[], plan: Pick<DemoPlan, 'headlineMaxDiceCostPoints'>): HeadlineDecision {
  const control = rows.find((r) => r.name === 'control')?.domains.val;
  const cost = plan.headlineMaxDiceCostPoints;
  const rule = `the largest λ multiplier whose mean validation Dice (training scanner) is within ${cost} Dice points of the control's`;
  if (!control) return { rule, candidates: [], chosen: null };
  const candidates = rows
    .filter((r) => r.kind === 'lambda' && r.postprocess === null && r.domains.val)
    .map((r) => {
      const v = r.domains.val!;
      const diceDeltaPoints = 100 * (v.meanDice - control.meanDice);
      return {
        multiplier: r.multiplier!,
        run: r.name,
        diceDeltaPoints,
        contactsChangePercent: control.forbiddenContacts > 0 ? (100 * (v.forbiddenContacts - control.forbiddenContacts)) / control.forbiddenContacts : null,
        eligible: diceDeltaPoints >= -cost,
      };
    })
    .sort((a, b) => a.multiplier - b.multiplier);
  const eligible = candidates.filter((c) => c.eligible);
  return { rule, candidates, chosen: eligible.length ? eligible[eligible.length - 1].run : null };
}

/** What λ auto's controller did in each run: λ per epoch, and how often it grew, shrank or reloaded. */
export function summariseAutoLambda(runs: readonly DemoArmRun[]): AutoLambdaSummary[] {
  return runs.map((run) => {
    const lambdas = run.log.map((r) => r.lambda);
    let grew = 0;
    let shrank = 0;
    // Epoch 1's λ is the warm-up's result, not a change.
    for (let i = 2; i < lambdas.length; i++) {
      if (lambdas[i] > lambdas[i - 1]) grew++;
      else if (lambdas[i] < lambdas[i - 1]) shrank++;
    }
    const reloads = run.log.reduce((a, r) => a + r.events.filter((e) => /^reloaded/.test(e)).length, 0);
    return { seed: run.seed, lambdas, grew, shrank, reloads };
  });
}
