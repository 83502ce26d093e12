/**
 * Prior B of the brainchop adaptation study (`docs/adapt-brainchop.md`): an adjacency prior written by hand from
 * FreeSurfer's label definitions for the 50 classes of brainchop's `model30chan50cls` (left and right merged): every
 * pair of classes is allowed except the ones listed below, each with the anatomy that separates them. It is
 * independent of the network and of Colin27, correct by construction for the pairs it lists and silent on all the
 * others (only pairs separated by a structure that is always labelled in between at 1 mm are listed; contacts that
 * FreeSurfer's own segmentations make, e.g. the tail of the caudate with the amygdala or the accumbens with the
 * orbitofrontal cortex, are left allowed). Writes `graph.json`, `graph.png.csv`, `graph.png` and `rules.json` (each rule and
 * the ordered pairs it forbids).
 *
 * `node --import tsx bench/brainchop/anatomicalPrior.ts <colormap.json> <out folder>`
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writePriorFolder } from '../../src/cli/writePriorFolder.js';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';

const [colormap, out] = process.argv.slice(2);
if (!colormap || !out) throw new Error('usage: anatomicalPrior.ts <colormap.json> <out folder>');
const names = (JSON.parse(await readFile(colormap, 'utf8')) as { labels: string[] }).labels;
const L = names.length;
const id = (name: string): number => {
  const i = names.indexOf(name);
  if (i < 0) throw new Error(`anatomicalPrior: no class named ${name} in ${colormap}`);
  return i;
};
const ctx = (...parcels: string[]) => parcels.map((p) => `ctx-${p}`);
const CORTEX = names.filter((n) => n.startsWith('ctx-'));
const FRONTAL = ctx(
  'superiorfrontal', 'rostralmiddlefrontal', 'caudalmiddlefrontal', 'parsopercularis', 'parsorbitalis', 'parstriangularis',
  'lateralorbitofrontal', 'medialorbitofrontal', 'precentral', 'paracentral', 'frontalpole', 'rostralanteriorcingulate', 'caudalanteriorcingulate',
);
const PARIETAL = ctx('postcentral', 'superiorparietal', 'supramarginal');
const LATERAL = ctx(
  'caudalmiddlefrontal', 'rostralmiddlefrontal', 'parsopercularis', 'parsorbitalis', 'parstriangularis', 'precentral', 'postcentral',
  'supramarginal', 'inferiorparietal', 'superiortemporal', 'middletemporal', 'inferiortemporal', 'bankssts', 'transversetemporal',
  'lateraloccipital', 'temporalpole', 'insula',
);
const MEDIAL_TEMPORAL = ctx('entorhinal', 'parahippocampal');
const DEEP = ['Thalamus-Proper*', 'Caudate', 'Putamen', 'Pallidum', 'Accumbens-area'];

/** Each rule: two groups of classes that never touch, and why. */
const rules: Array<{ a: string[]; b: string[]; why: string }> = [
  {
    a: ['Ventricle'],
    b: CORTEX.filter((c) => !MEDIAL_TEMPORAL.includes(c)),
    why: 'the lateral ventricles are enclosed by white matter, the corpus callosum, the caudate and the thalamus; only the temporal horn reaches the medial temporal cortex (entorhinal, parahippocampal, left allowed)',
  },
  { a: ['Thalamus-Proper*'], b: CORTEX, why: 'the thalamus is deep grey matter, separated from every cortical area by white matter (internal capsule), the ventricles or the choroid fissure' },
  { a: ['Caudate'], b: CORTEX, why: 'the caudate lines the lateral ventricle, under the corpus callosum and the frontal white matter' },
  { a: ['Pallidum'], b: CORTEX, why: 'the pallidum lies medial to the putamen, enclosed by the internal capsule' },
  { a: ['Putamen'], b: [...FRONTAL.filter((c) => c !== 'ctx-lateralorbitofrontal'), ...PARIETAL, ...ctx('superiortemporal', 'middletemporal', 'inferiortemporal', 'insula', 'lateraloccipital', 'cuneus', 'lingual', 'precuneus')], why: 'the putamen is separated from the insula by the external capsule, claustrum and extreme capsule, and from the rest of the cortex by white matter (its ventral edge near the orbitofrontal cortex left allowed)' },
  { a: ['Thalamus-Proper*'], b: ['Putamen', 'Accumbens-area', 'Amygdala', 'Cerebellum', 'Cerebellum-White-Matter'], why: 'the internal capsule and the pallidum separate thalamus and putamen; the accumbens is anterior-ventral to the caudate head; the amygdala lies in the temporal lobe below the optic tract; the cerebellum is below the tentorium' },
  { a: ['Cerebellum', 'Cerebellum-White-Matter'], b: [...FRONTAL, ...PARIETAL, ...DEEP, 'Amygdala', 'Corpus callosum'], why: 'the cerebellum lies in the posterior fossa, under the tentorium and the occipital and inferior temporal lobes' },
  { a: ['Cerebellum-White-Matter'], b: [...CORTEX, 'Cerebral-White-Matter', 'Hippocampus'], why: 'the cerebellar white matter is enclosed by the cerebellar cortex and the brain stem' },
  { a: ['Brain-Stem'], b: [...FRONTAL, ...PARIETAL, ...LATERAL, 'Caudate', 'Putamen', 'Accumbens-area', 'Corpus callosum'], why: 'the brain stem is joined to the forebrain through the ventral diencephalon, under the thalamus' },
  { a: ['Hippocampus'], b: [...FRONTAL, ...PARIETAL, 'Putamen', 'Pallidum', 'Accumbens-area'], why: 'the hippocampus lies in the medial temporal lobe, on the floor of the temporal horn' },
  { a: ['Amygdala'], b: [...PARIETAL, ...ctx('superiorparietal', 'inferiorparietal', 'precuneus', 'cuneus', 'lateraloccipital', 'lingual', 'pericalcarine', 'paracentral', 'superiorfrontal', 'caudalmiddlefrontal', 'precentral')], why: 'the amygdala lies in the anterior medial temporal lobe, far from the parietal, occipital and dorsal frontal cortex' },
  { a: ['Corpus callosum'], b: LATERAL, why: 'the corpus callosum crosses the midline; only the medial (cingulate, callosal sulcus) cortex is near it' },
  { a: ['Accumbens-area'], b: [...PARIETAL, ...LATERAL.filter((c) => c !== 'ctx-insula'), ...ctx('cuneus', 'lingual', 'pericalcarine', 'precuneus', 'superiorparietal')], why: 'the accumbens lies at the base of the caudate head and putamen, near the medial orbitofrontal cortex only' },
];

const counts = new Float64Array(L * L).fill(1);
const listed: Array<{ why: string; pairs: Array<[string, string]> }> = [];
for (const rule of rules) {
  const pairs: Array<[string, string]> = [];
  for (const a of rule.a) {
    for (const b of rule.b) {
      const [i, j] = [id(a), id(b)];
      if (i === j) throw new Error(`anatomicalPrior: rule "${rule.why}" forbids ${a} with itself`);
      if (counts[i * L + j] !== 0) pairs.push([a, b]);
      counts[i * L + j] = 0;
      counts[j * L + i] = 0;
    }
  }
  listed.push({ why: rule.why, pairs });
}
const prior = AdjacencyPrior.fromCounts(counts, { names, tool: 'bench/brainchop/anatomicalPrior.ts: hand-written from FreeSurfer label definitions' });
await writePriorFolder(out, prior);
const forbiddenPairs = listed.reduce((a, r) => a + r.pairs.length, 0);
await writeFile(path.join(out, 'rules.json'), JSON.stringify({ numLabels: L, forbiddenPairs, rules: listed }, null, 1) + '\n');
console.log(`prior B: ${forbiddenPairs} forbidden unordered pairs of ${(L * (L - 1)) / 2} (${prior.forbiddenOrderedPairs} ordered), ${rules.length} rules`);
