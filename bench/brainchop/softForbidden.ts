/**
 * Where NonAdjLoss sees forbidden adjacency on a whole scan, for the brainchop adaptation study
 * (`docs/adapt-brainchop.md`, session 8): NonAdjLoss penalises the *soft* adjacency of the probability maps
 * (`softAdjacency`: A_ij = mean over voxels of P_i(y)·Q_j(y), Q the box mean of P), not the contacts of the arg-max
 * segmentation that `checkSegmentation` counts. This prints, for each model given, the forbidden pairs of the prior
 * with the largest soft adjacency over the head's box (as `segment` crops it), and each label's share of the total
 * forbidden soft adjacency (a pair's mass counted for both its labels, halved), so that the structures the loss
 * pushes on can be named.
 *
 * `node --import tsx bench/brainchop/softForbidden.ts <scan.nii.gz> <graph.json> <name>=<model.json>… [--top 15] [--out file.json]`
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/initEngine.js';
import { standardise, standardiseParams } from '../../src/data/standardise.js';
import { makeInferenceEngine } from '../../src/infer/makeInferenceEngine.js';
import { resolveCropMargin, resolveInputOrder, toNetworkGrid } from '../../src/infer/segmentVolume.js';
import { softAdjacency } from '../../src/loss/softAdjacency.js';
import { loadModel } from '../../src/model/modelFiles.js';
import { modelIntensity } from '../../src/model/modelIntensity.js';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { cropGrid } from '../../src/volume/cropGrid.js';
import { readNiftiFile } from '../../src/volume/niftiFile.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '15' }, out: { type: 'string' } } });
const [scanFile, priorFile, ...models] = positionals;
if (!scanFile || !priorFile || models.length === 0) throw new Error('usage: softForbidden.ts <scan> <graph.json> <name>=<model.json>… [--top n] [--out file.json]');
await initEngine({ backend: 'wasm' });
const prior = await AdjacencyPrior.read(priorFile);
const C = prior.numLabels;
const forbidden = prior.forbiddenMask();
const image = await readNiftiFile(scanFile, { expect: '3d' });
const TILE = 64;
const results: Record<string, { total: number; pairs: Array<{ pair: string; soft: number }>; labels: Array<{ label: string; share: number }> }> = {};

for (const spec of models) {
  const [name, file] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)];
  const { model, metadata } = await loadModel(file);
  const { intensity } = modelIntensity(metadata?.intensity, {});
  const params = standardiseParams(image, intensity);
  const grid = toNetworkGrid(image, standardise(image, { mode: 'dataset', ...params }), resolveInputOrder(undefined, metadata), resolveCropMargin(undefined, metadata));
  const engine = await makeInferenceEngine(model, { engine: 'auto', threads: 2 });
  if (!engine.forward) throw new Error('softForbidden: needs onnxruntime-node (the whole box in one pass)');
  const [gx, gy, gz] = grid.dims;
  const logits = await engine.forward(grid.data, [1, gz, gy, gx, 1]);
  await engine.dispose();
  model.dispose();
  // Sum over tiles of (tile voxels / box voxels) · A_tile: the box's mean soft adjacency, contacts across tile faces aside (as the loss).
  const sum = new Float64Array(C * C);
  const voxels = gx * gy * gz;
  for (let z = 0; z < gz; z += TILE) for (let y = 0; y < gy; y += TILE) for (let x = 0; x < gx; x += TILE) {
    const size: [number, number, number] = [Math.min(TILE, gx - x), Math.min(TILE, gy - y), Math.min(TILE, gz - z)];
    const part = cropGrid(logits, grid.dims, { start: [x, y, z], size }, C);
    const a = tf.tidy(() => softAdjacency(tf.softmax(tf.tensor(part, [1, size[2], size[1], size[0], C]))));
    const values = a.dataSync();
    a.dispose();
    const share = (size[0] * size[1] * size[2]) / voxels;
    for (let i = 0; i < C * C; i++) sum[i] += share * values[i];
  }
  let total = 0;
  const pairs: Array<{ pair: string; soft: number }> = [];
  const byLabel = new Float64Array(C);
  for (let i = 0; i < C; i++) for (let j = i + 1; j < C; j++) {
    if (!forbidden[i * C + j]) continue;
    const soft = sum[i * C + j] + sum[j * C + i];
    total += soft;
    byLabel[i] += soft / 2;
    byLabel[j] += soft / 2;
    pairs.push({ pair: `${prior.nameOf(i)} – ${prior.nameOf(j)}`, soft });
  }
  pairs.sort((p, q) => q.soft - p.soft);
  const labels = Array.from(byLabel, (s, i) => ({ label: prior.nameOf(i), share: s / total })).sort((p, q) => q.share - p.share);
  results[name] = { total, pairs: pairs.slice(0, Number(values.top)), labels: labels.slice(0, Number(values.top)) };
  process.stdout.write(`\n${name}: forbidden soft adjacency Σ F⊙A = ${total.toExponential(3)} (per voxel of the ${gx}×${gy}×${gz} box)\n`);
  for (const p of results[name].pairs) process.stdout.write(`  ${p.pair}: ${p.soft.toExponential(2)} (${((100 * p.soft) / total).toFixed(1)} %)\n`);
  process.stdout.write('  by label (share of the total):\n');
  for (const l of results[name].labels) process.stdout.write(`    ${l.label}: ${(100 * l.share).toFixed(1)} %\n`);
}
if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 1) + '\n');
