/**
 * One MeshNet run of nonadj in its own process, for `meshnetInference.bench.ts` (so that its peak RSS is its own):
 * `node --import tsx bench/meshnetRun.ts <model.json> <conformed.nii.gz> <labels.nii.gz> <crop margin | none>
 *  [--box x0,y0,z0,sx,sy,sz --logits out.f32]`.
 * Without --box: `segmentVolume` as `nonadj segment` runs it (brainchop's conventions). With --box: the image is
 * standardised as a whole (quantile 0.05–0.95), then only the box goes through the network, whose logits are written
 * voxel-major (x fastest, channels last) as `meshnet_reference.py torch --box` writes them.
 * Prints one JSON line: wall and CPU seconds of the segmentation, peak RSS, how it ran.
 */
import { writeFileSync } from 'node:fs';
import { initEngine } from '../src/engine/initEngine.js';
import { loadModel } from '../src/model/modelFiles.js';
import { segmentVolume } from '../src/infer/segmentVolume.js';
import { predictLayerwise3d } from '../src/infer/predictLayerwise3d.js';
import { standardise } from '../src/data/standardise.js';
import { FOREIGN_MODEL_INTENSITY } from '../src/model/intensityMetadata.js';
import { cropGrid } from '../src/volume/cropGrid.js';
import { swapXZ } from '../src/volume/swapXZ.js';
import { readNiftiFile, writeNiftiFile } from '../src/volume/niftiFile.js';

const [modelPath, input, output, crop, ...rest] = process.argv.slice(2);
const opts = Object.fromEntries(rest.flatMap((v, i) => (i % 2 === 0 ? [[v, rest[i + 1]]] : [])));
await initEngine({ backend: 'wasm' });
const { model, metadata } = await loadModel(modelPath);
const image = await readNiftiFile(input, { expect: '3d' });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const t0 = performance.now();
const c0 = cpu();
let run: unknown;
if (opts['--box']) {
  const b = opts['--box'].split(',').map(Number);
  const box = { start: [b[0], b[1], b[2]] as [number, number, number], size: [b[3], b[4], b[5]] as [number, number, number] };
  const grid = standardise(image, FOREIGN_MODEL_INTENSITY);
  const swapped = swapXZ(cropGrid(grid, image.dims, box), box.size);
  const r = await predictLayerwise3d(model, swapped, { scores: 'logits' });
  const logits = swapXZ(r.logits!, swapped.dims, r.numClasses).data;
  if (opts['--logits']) writeFileSync(opts['--logits'], logits);
  run = { path: 'layerwise', box, slabPlanes: r.slabPlanes };
} else {
  const r = await segmentVolume(model, image, { metadata, crop: crop === 'none' ? false : Number(crop) });
  await writeNiftiFile(output, r.labels, { kind: 'labels' });
  run = r.run;
}
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ seconds: +seconds.toFixed(2), cpuSeconds: +(cpu() - c0).toFixed(2), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), run }));
