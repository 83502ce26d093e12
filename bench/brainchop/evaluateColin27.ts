/**
 * Scores of the brainchop adaptation study (`docs/adapt-brainchop.md`) for segmentations of Colin27 by brainchop's
 * `model30chan50cls`: forbidden pairs and contacts against each prior given, on the grid the network segmented
 * (Colin27 conformed, 256³ LIA: the contacts are the network's, not a resampling's), and Dice against AAL's
 * subcortical structures on Colin27's own grid (the segmentation resampled back by nearest neighbour, as
 * `nonadj conform --like data/ch2.nii.gz` does), left and right merged as the model merges them.
 *
 * A row may be a segmentation of an augmented copy of the scan (`augmentColin27.ts`), written
 * `<name>=<seg.nii.gz>@<copies.json>#<k>` for copy k: its contacts are counted on it as it is (a flip and an integer
 * shift change no adjacency: they are the network's own), and for the Dice it is first mapped back onto the original
 * conformed grid by the inverse of copy k's flip and shift (`undoFlipShift`; voxels whose source is off the grid are
 * background), then scored as the other rows.
 *
 * `node --import tsx bench/brainchop/evaluateColin27.ts <out.json> <prior name>=<graph.json>… -- <name>=<seg on the conformed grid>[@<copies.json>#<k>]…`
 * writes `{ priors, rows: [{ name, file, copy?: { copies, k, flip, shift }, labelsPresent, contacts: { <prior>: { forbiddenPairs, forbiddenContacts } }, dice: {…} }] }`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSegmentation } from '../../src/metric/checkSegmentation.js';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { readNiftiFile } from '../../src/volume/niftiFile.js';
import { resampleVolume } from '../../src/volume/resampleVolume.js';
import { undoFlipShift } from '../../src/volume/undoFlipShift.js';
import { makeVolume } from '../../src/volume/Volume.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The model's class (FreeSurfer name) → AAL's codes of the same structure, left and right. */
export const AAL_STRUCTURES: Array<{ name: string; model: number; aal: [number, number] }> = [
  { name: 'thalamus', model: 5, aal: [77, 78] },
  { name: 'caudate', model: 6, aal: [71, 72] },
  { name: 'putamen', model: 7, aal: [73, 74] },
  { name: 'pallidum', model: 8, aal: [75, 76] },
  { name: 'hippocampus', model: 10, aal: [37, 38] },
  { name: 'amygdala', model: 11, aal: [41, 42] },
];

const args = process.argv.slice(2);
const split = args.indexOf('--');
if (args.length < 3 || split < 2) throw new Error('usage: evaluateColin27.ts <out.json> <name>=<graph.json>… -- <name>=<segmentation>…');
const pairOf = (a: string) => {
  const i = a.indexOf('=');
  if (i < 1) throw new Error(`expected <name>=<file>, got ${a}`);
  return [a.slice(0, i), a.slice(i + 1)] as const;
};
const outFile = args[0];
const priors = await Promise.all(args.slice(1, split).map(pairOf).map(async ([name, file]) => ({ name, file, prior: await AdjacencyPrior.read(file) })));
const aal = await readNiftiFile(path.join(ROOT, 'data', 'aal.nii.gz'), { expect: '3d' });
const ch2 = await readNiftiFile(path.join(ROOT, 'data', 'ch2.nii.gz'), { expect: '3d' });
const rows = [];
/** `<seg>@<copies.json>#<k>`: the segmentation of copy k, with that copy's flip and shift; else the file alone. */
const copyOf = async (spec: string) => {
  const m = /^(.+)@(.+)#(\d+)$/.exec(spec);
  if (!m) return { file: spec, copy: undefined };
  const copies = JSON.parse(await readFile(m[2], 'utf8')) as { dims: [number, number, number]; copies: Array<{ flip: boolean; shift: [number, number, number] }> };
  const k = Number(m[3]);
  const c = copies.copies[k];
  if (!c) throw new Error(`${m[2]} has ${copies.copies.length} copies, no copy ${k}`);
  return { file: m[1], copy: { copies: m[2], k, flip: c.flip, shift: c.shift, dims: copies.dims } };
};
for (const [name, spec] of args.slice(split + 1).map(pairOf)) {
  const { file, copy } = await copyOf(spec);
  const seg = await readNiftiFile(file, { expect: '3d' });
  if (copy && seg.dims.join() !== copy.dims.join()) throw new Error(`${file} is ${seg.dims.join('×')}, copy ${copy.k} of ${copy.copies} is ${copy.dims.join('×')}`);
  const contacts: Record<string, { forbiddenPairs: number; forbiddenContacts: number; pairs: Record<string, number> }> = {};
  for (const p of priors) {
    const r = checkSegmentation(seg, p.prior);
    const pairs: Record<string, number> = {};
    for (const q of r.pairs) pairs[`${q.names[0]} – ${q.names[1]}`] = q.contacts;
    contacts[p.name] = { forbiddenPairs: r.forbiddenPairs, forbiddenContacts: r.forbiddenContacts, pairs };
  }
  // A copy's labels go back onto the original conformed grid first (same affine: the copy kept the grid).
  const original = copy ? makeVolume(seg.dims, undoFlipShift(seg.data, seg.dims, copy), { spacingMm: seg.spacingMm, affine: seg.affine }) : seg;
  const back = resampleVolume(original, ch2, { interpolation: 'nearest' });
  const dice: Record<string, number> = {};
  for (const s of AAL_STRUCTURES) {
    let both = 0;
    let a = 0;
    let b = 0;
    for (let v = 0; v < aal.data.length; v++) {
      const inSeg = back.data[v] === s.model;
      const inAal = aal.data[v] === s.aal[0] || aal.data[v] === s.aal[1];
      if (inSeg) a++;
      if (inAal) b++;
      if (inSeg && inAal) both++;
    }
    dice[s.name] = a + b === 0 ? NaN : (2 * both) / (a + b);
  }
  const row = {
    name,
    file: path.basename(file),
    ...(copy ? { copy: { copies: path.basename(copy.copies), k: copy.k, flip: copy.flip, shift: copy.shift } } : {}),
    labelsPresent: new Set(seg.data).size,
    contacts,
    dice,
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}
await writeFile(outFile, JSON.stringify({ priors: priors.map((p) => ({ name: p.name, file: p.file, forbiddenOrderedPairs: p.prior.forbiddenOrderedPairs })), structures: AAL_STRUCTURES, rows }, null, 1) + '\n');
