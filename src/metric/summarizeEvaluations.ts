import type { EvaluateSegmentationResult } from './evaluateSegmentation.js';

/** Mean, standard deviation and median of the values that exist (nulls are left out and counted in `missing`). */
export interface SummaryStats {
  /** Number of values. */
  n: number;
  /** Number of nulls left out (structures missing from a map, for distances). */
  missing: number;
  /** null when n = 0. */
  mean: number | null;
  /** Population standard deviation (numpy's default, ddof = 0); null when n = 0. */
  std: number | null;
  /** null when n = 0. */
  median: number | null;
}

/** Summary of one label over the cases where it was evaluated. */
export interface LabelSummary {
  label: number;
  name: string;
  dice: SummaryStats;
  hausdorff95Mm: SummaryStats;
  hausdorff100Mm: SummaryStats;
  assdMm: SummaryStats;
  /** Connected components of the label in the prediction (0 when it is missing there). */
  predictionComponents: SummaryStats;
}

/** Summary of one case over its labels. */
export interface CaseSummary {
  case: string;
  meanDice: number | null;
  meanHausdorff95Mm: number | null;
  meanHausdorff100Mm: number | null;
  meanAssdMm: number | null;
  /** Mean over labels of `max(0, predictionComponents − 1)` (see `EvaluateSegmentationResult.meanExtraComponents`). */
  meanExtraComponents: number | null;
  /** From the check, when a prior was given. */
  forbiddenPairs: number | null;
  forbiddenContacts: number | null;
}

/** Result of {@link summarizeEvaluations}. */
export interface EvaluationSummary {
  /** One entry per label code seen in any case, ascending. */
  perLabel: LabelSummary[];
  /** One entry per case, in the given order. */
  perCase: CaseSummary[];
  /** Over labels: statistics of every (case, label) value pooled. */
  overall: {
    dice: SummaryStats;
    hausdorff95Mm: SummaryStats;
    hausdorff100Mm: SummaryStats;
    assdMm: SummaryStats;
    /** `max(0, predictionComponents − 1)` of every (case, label). */
    extraComponents: SummaryStats;
    /** One value per case. */
    forbiddenContacts: SummaryStats;
  };
}

/**
 * Summaries of per-case evaluations (the accumulator half of MONAI's metric pattern, kept apart from the pure
 * per-case function `evaluateSegmentation`): per label over cases, per case over labels, and over every
 * (case, label) value. A label that is absent from both maps of a case (Dice null) does not count for that case;
 * a structure missing from one map counts Dice 0 and is `missing` in the distance statistics.
 *
 * @param cases - `{ case: name, result }` per case.
 */
export function summarizeEvaluations(cases: ReadonlyArray<{ case: string; result: EvaluateSegmentationResult }>): EvaluationSummary {
  type Values = { dice: Array<number | null>; hd: Array<number | null>; hd100: Array<number | null>; assd: Array<number | null>; components: number[] };
  const empty = (): Values => ({ dice: [], hd: [], hd100: [], assd: [], components: [] });
  const byLabel = new Map<number, Values & { name: string }>();
  const all = empty();
  for (const { result } of cases) {
    for (const l of result.labels) {
      if (l.dice === null) continue;
      let entry = byLabel.get(l.label);
      if (!entry) byLabel.set(l.label, (entry = { name: l.name, ...empty() }));
      for (const into of [entry, all]) {
        into.dice.push(l.dice);
        into.hd.push(l.hausdorff95Mm);
        into.hd100.push(l.hausdorff100Mm);
        into.assd.push(l.assdMm);
        into.components.push(l.predictionComponents);
      }
    }
  }
  return {
    perLabel: [...byLabel.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([label, e]) => ({
        label,
        name: e.name,
        dice: summaryStats(e.dice),
        hausdorff95Mm: summaryStats(e.hd),
        hausdorff100Mm: summaryStats(e.hd100),
        assdMm: summaryStats(e.assd),
        predictionComponents: summaryStats(e.components),
      })),
    perCase: cases.map(({ case: name, result }) => ({
      case: name,
      meanDice: result.meanDice,
      meanHausdorff95Mm: result.meanHausdorff95Mm,
      meanHausdorff100Mm: result.meanHausdorff100Mm,
      meanAssdMm: result.meanAssdMm,
      meanExtraComponents: result.meanExtraComponents,
      forbiddenPairs: result.check?.forbiddenPairs ?? null,
      forbiddenContacts: result.check?.forbiddenContacts ?? null,
    })),
    overall: {
      dice: summaryStats(all.dice),
      hausdorff95Mm: summaryStats(all.hd),
      hausdorff100Mm: summaryStats(all.hd100),
      assdMm: summaryStats(all.assd),
      extraComponents: summaryStats(all.components.map((c) => Math.max(0, c - 1))),
      forbiddenContacts: summaryStats(cases.map(({ result }) => result.check?.forbiddenContacts ?? null)),
    },
  };
}

/** Statistics of the non-null values. */
export function summaryStats(values: ReadonlyArray<number | null>): SummaryStats {
  const xs = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  const n = xs.length;
  const missing = values.length - n;
  if (n === 0) return { n, missing, mean: null, std: null, median: null };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
  const median = n % 2 ? xs[n >> 1] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
  return { n, missing, mean, std, median };
}
