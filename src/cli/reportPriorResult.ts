import type { ExtractPriorResult } from '../prior/extractPrior.js';

/** The notes `extract` and `merge` print on stderr about a prior they built: inferred L, dropped pairs, empty labels. */
export function reportPriorResult(result: ExtractPriorResult, flags: { contiguous?: boolean; minExams: number }): void {
  const { prior, numLabelsInferred, emptyLabels, emptyLabelCount, pairsBelowMinExams } = result;
  if (numLabelsInferred) process.stderr.write(`nb_labels not given: using ${result.numLabels} (largest label + 1)\n`);
  if (flags.minExams > 1) process.stderr.write(`min-exams ${flags.minExams}: ${pairsBelowMinExams} pair(s) touching in fewer exams made forbidden\n`);
  if (emptyLabelCount > 0) {
    const list = emptyLabels.slice(0, 20).join(', ') + (emptyLabelCount > 20 ? ', …' : '');
    process.stderr.write(
      flags.contiguous
        ? `relabelled to ${prior.numLabels} contiguous labels: ${emptyLabelCount} label(s) never occur (${list}) and were dropped; the code of each row is in graph.json "labels"\n`
        : `warning: ${emptyLabelCount} label(s) never occur (${list}): every pair with them is forbidden, which inflates the loss normaliser; --contiguous relabels to 0..K-1\n`,
    );
  }
}
