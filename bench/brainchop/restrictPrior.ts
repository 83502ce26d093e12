/**
 * A prior that forbids only the forbidden contacts a segmentation actually makes (brainchop adaptation study,
 * `docs/adapt-brainchop.md`, session 8's pilot): every pair `prior` forbids that `segmentation` does not make is
 * marked allowed. NonAdjLoss with it penalises the soft adjacency of those pairs only, not of the pairs the network
 * already keeps apart in its labels (on Colin27, background – pallidum carries 10 % of the forbidden soft adjacency of
 * prior A with no contact in the segmentation).
 *
 * `node --import tsx bench/brainchop/restrictPrior.ts <graph.json> <segmentation.nii.gz> <out graph.json>`; the same
 * restriction as `nonadj adapt --pairs made` (`restrictPrior`, `src/prior/`), kept for the study's recorded priors.
 */
import { writeFileSync } from 'node:fs';
import { checkSegmentation } from '../../src/metric/checkSegmentation.js';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { restrictPrior } from '../../src/prior/restrictPrior.js';
import { readNiftiFile } from '../../src/volume/niftiFile.js';

const [priorFile, segFile, out] = process.argv.slice(2);
if (!priorFile || !segFile || !out) throw new Error('usage: restrictPrior.ts <graph.json> <segmentation> <out graph.json>');
const prior = await AdjacencyPrior.read(priorFile);
const made = checkSegmentation(await readNiftiFile(segFile, { expect: '3d' }), prior).pairs;
const restricted = restrictPrior(prior, made.map((p) => p.labels));
writeFileSync(out, JSON.stringify(restricted.toJson()) + '\n');
process.stdout.write(`${out}: ${restricted.forbiddenUnorderedPairs} pairs forbidden (of ${prior.forbiddenUnorderedPairs}), the ones ${segFile} makes\n`);
