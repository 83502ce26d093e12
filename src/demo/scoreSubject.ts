import { evaluateSegmentation } from '../metric/evaluateSegmentation.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { Volume } from '../volume/Volume.js';
import type { DemoDomain, SubjectScores } from './demoReport.js';

/**
 * Everything the demo reports of one prediction against its truth (`evaluateSegmentation` with the prior): Dice,
 * HD95 and HD100, extra connected components, forbidden pairs and contacts, per-structure Dice and volumes, and the
 * collapse check (a structure predicted at less than half its true volume).
 *
 * @param seed - the fine-tune seed of the model, or null for the baseline.
 */
export function scoreSubject(set: DemoDomain, id: string, seed: number | null, pred: Volume, truth: Volume, prior: AdjacencyPrior): SubjectScores {
  const e = evaluateSegmentation(pred, truth, { prior, source: { prediction: `${set}/${id} prediction`, truth: `${set}/${id} truth` } });
  const structures = e.labels.map((l) => ({ label: l.label, name: l.name, dice: l.dice, predictionVoxels: l.predictionVoxels, truthVoxels: l.truthVoxels }));
  return {
    set,
    id,
    seed,
    meanDice: e.meanDice,
    meanHausdorff95Mm: e.meanHausdorff95Mm,
    meanHausdorffMaxMm: e.meanHausdorff100Mm,
    extraComponents: e.meanExtraComponents ?? 0,
    forbiddenPairs: e.check!.forbiddenPairs,
    forbiddenContacts: e.check!.forbiddenContacts,
    structures,
    collapsed: structures.filter((s) => s.truthVoxels > 0 && s.predictionVoxels < s.truthVoxels / 2).map((s) => s.name),
  };
}
