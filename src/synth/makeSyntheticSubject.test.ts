import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { memoryLoader, volumeFrom } from '../../test/helpers/trainingDataFixtures.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import type { Volume } from '../volume/Volume.js';
import { makeSampler } from '../data/makeSampler.js';
import { makeSyntheticSubject } from './makeSyntheticSubject.js';

/** Every random effect switched off: the subject is the (downsampled) atlas, min-max normalised. */
const still = { rotationDeg: 0, scale: 0, elasticMm: 0, bias: 0, noise: 0, gamma: [1, 1] as const };

describe('makeSyntheticSubject on tiny volumes', () => {
  const t1 = volumeFrom([5, 4, 3], (i, j, k) => 10 + i + 2 * j + 5 * k);
  const labels = volumeFrom([5, 4, 3], (i, j) => (i < 2 ? 0 : j < 2 ? 3 : 8), Uint8Array);

  test('with every effect off it is the min-max-normalised atlas and its labels', () => {
    const s = makeSyntheticSubject(t1, labels, { seed: 1, downsample: 1, ...still });
    // min 10, max 10 + 4 + 6 + 10 = 30
    s.image.data.forEach((v, i) => assert.ok(Math.abs(v - (t1.data[i] - 10) / 20) < 1e-6, `voxel ${i}`));
    assert.deepEqual(Array.from(s.labels.data), Array.from(labels.data));
    assert.equal(s.labels.header.intentCode, 1002);
  });

  test('downsample 2: crop to even sizes, block mean, majority labels, affine at block centres', () => {
    const s = makeSyntheticSubject(t1, labels, { seed: 1, downsample: 2, ...still });
    assert.deepEqual(s.image.dims, [2, 2, 1]);
    assert.deepEqual(s.image.spacingMm, [2, 2, 2]);
    // block (0,0,0) covers i 0..1, j 0..1, k 0..1: mean = 10 + 0.5 + 2·0.5 + 5·0.5 = 14; block (1,1,0): 14 + 2 + 4 = 20.
    // min-max over the 4 blocks [14, 16, 18, 20] → [0, 1/3, 2/3, 1]
    assert.deepEqual(Array.from(s.image.data).map((v) => +v.toFixed(5)), [0, 0.33333, 0.66667, 1]);
    assert.deepEqual(Array.from(s.labels.data), [0, 3, 0, 8]);
    assert.deepEqual(Array.from(s.image.affine), [2, 0, 0, 0.5, 0, 2, 0, 0.5, 0, 0, 2, 0.5, 0, 0, 0, 1]);
  });

  test("anatomy 'warp' (the default) gives the same bytes as before the option existed (checksums at d7e7bf1)", () => {
    // A 12×10×8 atlas with every effect on, downsampled to 6×5×4; checksums computed with the code of commit d7e7bf1.
    const big = volumeFrom([12, 10, 8], (i, j, k) => 10 + i + 2 * j + 5 * k + ((i * 7 + j * 3 + k) % 5));
    const bigLabels = volumeFrom([12, 10, 8], (i, j, k) => (i < 3 ? 0 : j < 5 ? 3 : k < 4 ? 8 : 2), Uint8Array);
    const sha = (a: ArrayBufferView) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex').slice(0, 16);
    const expected = { native: 'd6b1eb494f40430f', monotone: 'a49b248381e6220f', remapped: '8b19662e4d5e77e3', inverted: '725a6ed8229d96b5' };
    for (const [contrast, image] of Object.entries(expected)) {
      for (const anatomy of [undefined, 'warp'] as const) {
        const s = makeSyntheticSubject(big, bigLabels, { seed: 7, contrast: contrast as keyof typeof expected, elasticMm: 3, elasticSigmaMm: 4, biasSigmaMm: 6, ...(anatomy ? { anatomy } : {}) });
        assert.equal(sha(s.image.data), image, contrast);
        assert.equal(sha(s.labels.data), '4801bdef50cd6611', contrast);
        assert.equal(s.anatomy, undefined);
      }
    }
  });

  test('bad input', () => {
    assert.throws(() => makeSyntheticSubject(t1, volumeFrom([5, 4, 2], () => 0), { seed: 1 }), /T1 5×4×3×1 and labels 5×4×2×1 must be single 3D frames on one grid/);
    assert.throws(() => makeSyntheticSubject(t1, labels, { seed: 1, scale: 1.5 }), /scale is 1\.5, out of range/);
    assert.throws(() => makeSyntheticSubject(t1, labels, { seed: 1, downsample: 3 as 2 }), /downsample is 3, expected 1 or 2/);
    assert.throws(() => makeSyntheticSubject(t1, labels, { seed: 1, anatomy: 'bent' as 'warp' }), /anatomy is bent, expected 'warp' or 'varied'/);
  });
});

describe('makeSyntheticSubject on the bundled atlas at 2 mm', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  let ch2: Volume, aal: Volume;
  before(async () => {
    [ch2, aal] = await Promise.all([readNiftiFile(path.join(root, 'data/ch2.nii.gz')), readNiftiFile(path.join(root, 'data/aal.nii.gz'))]);
  });

  test('90×108×90, labels within 0..116 with nearly all surviving, deterministic, seeds differ, contrasts differ', async () => {
    const a = makeSyntheticSubject(ch2, aal, { seed: 100 });
    assert.deepEqual(a.image.dims, [90, 108, 90]);
    assert.deepEqual(a.labels.spacingMm, [2, 2, 2]);
    const present = new Set(a.labels.data);
    assert.ok([...present].every((l) => Number.isInteger(l) && l >= 0 && l <= 116));
    assert.ok(present.size >= 110, `${present.size} labels`);
    const again = makeSyntheticSubject(ch2, aal, { seed: 100 });
    assert.deepEqual(again.image.data, a.image.data);
    assert.deepEqual(again.labels.data, a.labels.data);
    const other = makeSyntheticSubject(ch2, aal, { seed: 101 });
    assert.notDeepEqual(other.labels.data, a.labels.data);

    // Inside the brain, the inverted contrast anti-correlates with the native one (bias and noise off: they are
    // shared or independent of contrast and would only blur the comparison).
    const plain = makeSyntheticSubject(ch2, aal, { seed: 100, bias: 0, noise: 0 });
    const inv = makeSyntheticSubject(ch2, aal, { seed: 100, bias: 0, noise: 0, contrast: 'inverted' });
    let sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0, n = 0;
    a.labels.data.forEach((l, v) => {
      if (l === 0) return;
      const x = plain.image.data[v], y = inv.image.data[v];
      sa += x; sb += y; sab += x * y; saa += x * x; sbb += y * y; n++;
    });
    const r = (sab / n - (sa / n) * (sb / n)) / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
    assert.ok(r < -0.9, `correlation ${r}`);
    assert.deepEqual(inv.labels.data, a.labels.data); // contrast does not move anything

    // The monotone contrast without blur keeps the order of intensities: sorted by the native image (whose gamma,
    // drawn after the lookup table, differs; gamma is increasing too), the monotone image never decreases.
    const mono = makeSyntheticSubject(ch2, aal, { seed: 100, bias: 0, noise: 0, contrast: 'monotone', monotoneBlurMm: 0 });
    assert.deepEqual(mono.labels.data, a.labels.data);
    const order = Array.from(plain.image.data.keys()).sort((u, w) => plain.image.data[u] - plain.image.data[w]);
    let drops = 0;
    for (let i = 1; i < order.length; i++) if (mono.image.data[order[i]] < mono.image.data[order[i - 1]] - 1e-6) drops++;
    assert.equal(drops, 0);
    assert.notDeepEqual(mono.image.data, plain.image.data);
    // …and its blur smooths: neighbouring voxels differ less on average.
    const blurred = makeSyntheticSubject(ch2, aal, { seed: 100, bias: 0, noise: 0, contrast: 'monotone' });
    const roughness = (d: Float32Array) => d.reduce((s, x, v) => (v > 0 ? s + Math.abs(x - d[v - 1]) : s), 0);
    assert.ok(roughness(blurred.image.data) < 0.6 * roughness(mono.image.data));
    assert.throws(() => makeSyntheticSubject(ch2, aal, { seed: 1, contrast: 'monotone', monotoneRises: [0, 1] }), /monotoneRises\[0\] is 0/);
  });

  test("anatomy 'varied': same pose draws, different anatomy, no folding, larger ventricles, thinner cortex, deterministic", () => {
    // Cortical AAL codes 1–90 (the cerebrum; 91–116 are cerebellum and vermis) minus the deep grey matter 71–78.
    const cortexLabels = Array.from({ length: 90 }, (_, k) => k + 1).filter((c) => c < 71 || c > 78);
    const warp = makeSyntheticSubject(ch2, aal, { seed: 100 });
    const varied = makeSyntheticSubject(ch2, aal, { seed: 100, anatomy: 'varied', anatomyField: { ventricleMm: 4 }, thinning: { cortexLabels } });
    const again = makeSyntheticSubject(ch2, aal, { seed: 100, anatomy: 'varied', anatomyField: { ventricleMm: 4 }, thinning: { cortexLabels } });
    assert.deepEqual(again.labels.data, varied.labels.data);
    assert.deepEqual(again.image.data, varied.image.data);
    const info = varied.anatomy!;
    // The whole map (affine ∘ elastic ∘ anatomy) keeps a positive Jacobian: nothing folds.
    assert.ok(info.minJacobian > 0, `composed Jacobian ${info.minJacobian}`);
    assert.ok(info.field.minJacobian >= 0.1, `anatomy Jacobian ${info.field.minJacobian}`);
    assert.ok(info.field.ventricleVoxels > 500, `${info.field.ventricleVoxels} ventricle voxels at 2 mm`);
    assert.ok(info.field.ventricleVolumeRatio > 1, `ventricles ×${info.field.ventricleVolumeRatio}`);
    assert.ok(info.thinning && info.thinning.erodedVoxels > 0 && info.thinning.erodedVoxels < info.thinning.mixedVoxels);
    // Labels moved, but most voxels agree with the warped atlas of the same seed (same affine and elastic draws).
    let same = 0, cortexWarp = 0, cortexVaried = 0;
    const isCortex = new Set(cortexLabels);
    warp.labels.data.forEach((l, v) => {
      if (l === varied.labels.data[v]) same++;
      if (isCortex.has(l)) cortexWarp++;
      if (isCortex.has(varied.labels.data[v])) cortexVaried++;
    });
    const n = warp.labels.data.length;
    assert.ok(same < n && same > 0.9 * n, `${same} of ${n} voxels keep their label`);
    assert.ok(cortexVaried < cortexWarp, `cortex ${cortexVaried} voxels varied vs ${cortexWarp} warp`);
    assert.match(varied.labels.header.description ?? '', /varied anatomy/);
  });

  test('feeds the sampler: coronal 7-slice batches padded to 96×96', async () => {
    const files = new Map<string, Volume>();
    const exams = [200, 201].map((seed) => {
      const s = makeSyntheticSubject(ch2, aal, { seed });
      files.set(`s${seed}/im`, s.image);
      files.set(`s${seed}/seg`, s.labels);
      return { id: `s${seed}`, image: `s${seed}/im`, label: `s${seed}/seg` };
    });
    const sampler = makeSampler({
      exams, batchSize: 2, k: 7, padTo: [96, 96], intensity: { mode: 'image', region: 'all' }, emptySliceWeight: 0.1,
      augmentation: { probability: 0.6, alpha: 4, sigma: 8 }, seed: 3, load: memoryLoader(files).load, numLabels: 117,
    });
    const batch = await sampler.nextBatch();
    assert.equal(batch.images.length, 2 * 96 * 96 * 7);
    assert.equal(batch.labels.length, 2 * 96 * 96);
    assert.ok(batch.labels.every((l) => l >= -1 && l <= 116));
    assert.ok(batch.labels.some((l) => l > 0));
  });
});
