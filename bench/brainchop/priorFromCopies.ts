/**
 * Prior A of the brainchop adaptation study (`docs/adapt-brainchop.md`): the adjacencies of a model's own
 * segmentations of K augmented copies of one scan (`augmentColin27.ts`), each mapped back onto the scan's grid by the
 * inverse of its flip and shift (exact: no resampling), counted only where at least m of the K agree
 * (`consensusLabels`; voxels without consensus take part in no pair). Writes one prior folder per m asked
 * (`prior-m<m>/graph.json`, `graph.png.csv`, `graph.png`) and `priors.json` (per m: voxels agreed and disputed, allowed
 * and forbidden pairs).
 *
 * `node --import tsx bench/brainchop/priorFromCopies.ts <copies folder> <colormap.json> <out folder> <m>[,<m>…]`
 * (the copies folder holds `copies.json` and each copy's segmentation as `seg-<k>.nii.gz`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writePriorFolder } from '../../src/cli/writePriorFolder.js';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { consensusLabels } from '../../src/prior/consensusLabels.js';
import { countAdjacency } from '../../src/prior/countAdjacency.js';
import { readNiftiFile } from '../../src/volume/niftiFile.js';
import { undoFlipShift } from '../../src/volume/undoFlipShift.js';

const [copiesDir, colormap, out, mArg] = process.argv.slice(2);
if (!copiesDir || !colormap || !out || !mArg) throw new Error('usage: priorFromCopies.ts <copies folder> <colormap.json> <out folder> <m>[,<m>…]');
const names = (JSON.parse(await readFile(colormap, 'utf8')) as { labels: string[] }).labels;
const L = names.length;
const spec = JSON.parse(await readFile(path.join(copiesDir, 'copies.json'), 'utf8')) as {
  dims: [number, number, number];
  copies: Array<{ file: string; flip: boolean; shift: [number, number, number] }>;
};
const maps: Int32Array[] = [];
for (const [k, copy] of spec.copies.entries()) {
  const seg = await readNiftiFile(path.join(copiesDir, `seg-${k}.nii.gz`), { expect: '3d' });
  if (seg.dims.join() !== spec.dims.join()) throw new Error(`seg-${k}.nii.gz is ${seg.dims.join('×')}, expected ${spec.dims.join('×')}`);
  // The copy put voxel x at flip(x) + shift: read it back from there (−1 where that falls off the grid).
  const back = undoFlipShift(seg.data, spec.dims, copy, { fill: -1 });
  maps.push(back);
}
const K = maps.length;
const rows = [];
for (const m of mArg.split(',').map(Number)) {
  const { labels, agreed, disputed } = consensusLabels(maps, L, m);
  const { counts } = countAdjacency(labels, spec.dims, { numLabels: L });
  const prior = AdjacencyPrior.fromCounts(counts, {
    names,
    tool: `bench/brainchop/priorFromCopies.ts: consensus of ≥ ${m} of ${K} segmentations of augmented copies`,
  });
  await writePriorFolder(path.join(out, `prior-m${m}`), prior);
  let allowed = 0;
  for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) if (prior.counts[i * L + j] > 0) allowed++;
  const row = { m, K, agreedVoxels: agreed, disputedVoxels: disputed, allowedPairs: allowed, forbiddenPairs: (L * (L - 1)) / 2 - allowed, forbiddenOrderedPairs: prior.forbiddenOrderedPairs };
  rows.push(row);
  console.log(JSON.stringify(row));
}
await writeFile(path.join(out, 'priors.json'), JSON.stringify({ copies: copiesDir, K, numLabels: L, priors: rows }, null, 1) + '\n');
