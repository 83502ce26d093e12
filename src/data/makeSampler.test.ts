import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryLoader, volumeFrom } from '../../test/helpers/trainingDataFixtures.js';
import type { Volume } from '../volume/Volume.js';
import type { TrainingExam } from './findTrainingExams.js';
import { make25dSample } from './make25dSample.js';
import { makeSampler, type MakeSamplerOptions, type SamplerBatch } from './makeSampler.js';

// Exams of 5×6×4 voxels; image value = 1000·(exam + 1) + i + 10j + 100k, so a sample says where it came from.
// Labels: foreground (label 1 + exam % 3) only in coronal slices j = 2 and 3; the other 4 slices are empty.
const DIMS: [number, number, number] = [5, 6, 4];
const files = new Map<string, Volume>();
function addExams(prefix: string, n: number, withLabels: boolean): TrainingExam[] {
  return Array.from({ length: n }, (_, e) => {
    const id = `${prefix}${e}`;
    files.set(`${id}/im`, volumeFrom(DIMS, (i, j, k) => 1000 * (e + 1) + i + 10 * j + 100 * k));
    if (withLabels) files.set(`${id}/seg`, volumeFrom(DIMS, (_i, j) => (j === 2 || j === 3 ? 1 + (e % 3) : 0), Uint8Array));
    return withLabels ? { id, image: `${id}/im`, label: `${id}/seg` } : { id, image: `${id}/im` };
  });
}
const labelled = addExams('L', 6, true);
const unlabelled = addExams('U', 4, false);
const identity = { mode: 'dataset', mean: 0, std: 1 } as const;

function options(extra: Partial<MakeSamplerOptions> = {}): MakeSamplerOptions {
  return { exams: labelled, batchSize: 4, k: 3, padTo: [4, 6], intensity: identity, seed: 1, load: memoryLoader(files).load, ...extra };
}
async function take(sampler: { nextBatch(): Promise<SamplerBatch> }, n: number): Promise<SamplerBatch[]> {
  const out: SamplerBatch[] = [];
  for (let i = 0; i < n; i++) out.push(await sampler.nextBatch());
  return out;
}

describe('makeSampler', () => {
  test('batch shapes, and each sample is make25dSample of its source', async () => {
    const [batch] = await take(makeSampler(options()), 1);
    assert.deepEqual([batch.batchSize, batch.unlabelledSize, batch.height, batch.width, batch.channels], [4, 0, 4, 6, 3]);
    assert.equal(batch.images.length, 4 * 4 * 6 * 3);
    assert.equal(batch.labels.length, 4 * 4 * 6);
    assert.equal(batch.unlabelled, null);
    batch.sources.forEach((s, b) => {
      const e = Number(s.exam.slice(1));
      const ref = make25dSample(files.get(`${s.exam}/im`) as Volume, files.get(`${s.exam}/seg`) as Volume, { axis: 1, index: s.slice, k: 3, padTo: [4, 6] });
      assert.deepEqual(batch.images.subarray(b * 72, (b + 1) * 72), ref.image);
      assert.deepEqual(batch.labels.subarray(b * 24, (b + 1) * 24), ref.label);
      assert.equal(Math.floor(batch.images[b * 72 + 1] / 1000), e + 1); // the middle channel of pixel 0 is from exam e
    });
  });

  test('semi-supervised: b labelled + 3b unlabelled images', async () => {
    const [batch] = await take(makeSampler(options({ unlabelled, batchSize: 2 })), 1);
    assert.equal(batch.batchSize, 2);
    assert.equal(batch.unlabelledSize, 6);
    assert.equal(batch.images.length, 2 * 72);
    assert.equal(batch.labels.length, 2 * 24);
    assert.equal(batch.unlabelled?.length, 6 * 72);
    assert.deepEqual(batch.sources.map((s) => s.exam[0]), ['L', 'L', 'U', 'U', 'U', 'U', 'U', 'U']);
    batch.sources.slice(2).forEach((s, u) => {
      const ref = make25dSample(files.get(`${s.exam}/im`) as Volume, null, { axis: 1, index: s.slice, k: 3, padTo: [4, 6] });
      assert.deepEqual(batch.unlabelled?.subarray(u * 72, (u + 1) * 72), ref.image);
    });
    const [two] = await take(makeSampler(options({ unlabelled, batchSize: 2, unlabelledPerLabelled: 1 })), 1);
    assert.equal(two.unlabelledSize, 2);
  });

  test('foreground filtering: weight 0 keeps only foreground slices, 0.1 keeps about 10 % of empty ones', async () => {
    const fg = (await take(makeSampler(options({ emptySliceWeight: 0 })), 10)).flatMap((b) => b.sources);
    assert.ok(fg.every((s) => s.slice === 2 || s.slice === 3));
    const all = (await take(makeSampler(options({ emptySliceWeight: 1 })), 25)).flatMap((b) => b.sources);
    assert.deepEqual([...new Set(all.map((s) => s.slice))].sort(), [0, 1, 2, 3, 4, 5]);
    // Weight 0.1: P(empty) = 4·0.1 / (2 + 4·0.1) = 1/6 per draw; 400 draws → 66.7 ± 7.5 expected.
    const some = (await take(makeSampler(options({ emptySliceWeight: 0.1, batchSize: 8 })), 50)).flatMap((b) => b.sources);
    const empty = some.filter((s) => s.slice !== 2 && s.slice !== 3).length;
    assert.ok(empty > 40 && empty < 95, `${empty} empty slices of 400`);
  });

  test('same seed → same batches; another seed → other batches', async () => {
    const aug = { probability: 0.6, alpha: 2, sigma: 2 };
    const a = await take(makeSampler(options({ augmentation: aug, unlabelled })), 3);
    const b = await take(makeSampler(options({ augmentation: aug, unlabelled })), 3);
    assert.deepEqual(a, b);
    const c = await take(makeSampler(options({ augmentation: aug, unlabelled, seed: 2 })), 3);
    assert.notDeepEqual(a.map((x) => x.sources), c.map((x) => x.sources));
  });

  test('the labelled batches depend on the seed alone: with or without unlabelled exams, whatever the unlabelled pool', async () => {
    // What makes the demo's arms comparable: for one seed, the control, every λ, and the semi-supervised arms and their
    // control draw the same labelled samples (and the same augmentation of them).
    const aug = { probability: 0.6, alpha: 2, sigma: 2 };
    const labelledOf = (bs: SamplerBatch[]) => bs.map((b) => ({ images: b.images, labels: b.labels, sources: b.sources.filter((x) => x.exam[0] === 'L') }));
    const supervised = labelledOf(await take(makeSampler(options({ augmentation: aug })), 4));
    const semi = labelledOf(await take(makeSampler(options({ augmentation: aug, unlabelled })), 4));
    const otherPool = labelledOf(await take(makeSampler(options({ augmentation: aug, unlabelled: unlabelled.slice(0, 2) })), 4));
    assert.deepEqual(semi, supervised);
    assert.deepEqual(otherPool, supervised);
  });

  test('a saved state from before the unlabelled stream cannot resume a semi-supervised run', async () => {
    const opts = options({ unlabelled });
    const original = makeSampler(opts);
    await take(original, 1);
    const { unlabelledRng: _dropped, ...old } = original.getState();
    assert.throws(() => makeSampler({ ...opts, state: old }), /older nonadj .* cannot be resumed exactly/);
  });

  test('augmentation with probability: deformed samples differ from the plain ones, labels stay in the set', async () => {
    const batches = await take(makeSampler(options({ augmentation: { probability: 0.6, alpha: 2, sigma: 1.5 }, batchSize: 8 })), 10);
    const sources = batches.flatMap((b) => b.sources);
    const augmented = sources.filter((s) => s.augmented).length;
    assert.ok(augmented > 30 && augmented < 66, `${augmented} of 80 augmented`); // 48 ± 4.4 expected
    const plain = await take(makeSampler(options({ batchSize: 8 })), 1);
    let differing = 0;
    batches[0].sources.forEach((s, b) => {
      const ref = make25dSample(files.get(`${s.exam}/im`) as Volume, files.get(`${s.exam}/seg`) as Volume, { axis: 1, index: s.slice, k: 3, padTo: [4, 6] });
      const same = ref.image.every((v, i) => v === batches[0].images[b * 72 + i]);
      if (!s.augmented) assert.ok(same);
      else if (!same) differing++;
      const allowed = new Set([...(ref.label as Int32Array)]);
      assert.ok(batches[0].labels.subarray(b * 24, (b + 1) * 24).every((v) => allowed.has(v)));
    });
    assert.ok(differing > 0);
    assert.ok(plain[0].sources.every((s) => !s.augmented));
  });

  test('resume: a sampler restored from a saved state draws the same next batches', async () => {
    const opts = options({ unlabelled, batchSize: 2, examsInMemory: 2, samplesPerVisit: 3, augmentation: { probability: 0.5, alpha: 2, sigma: 2 } });
    const original = makeSampler(opts);
    await take(original, 5);
    const saved = JSON.parse(JSON.stringify(original.getState()));
    assert.equal(saved.batches, 5);
    const expected = await take(original, 4);
    const resumed = makeSampler({ ...opts, state: saved });
    assert.deepEqual(await take(resumed, 4), expected);
    assert.deepEqual(resumed.getState(), original.getState());
  });

  test('streaming: at most examsInMemory exams per pool, each read once per visit, every exam visited', async () => {
    const loader = memoryLoader(files);
    const sampler = makeSampler(options({ batchSize: 3, examsInMemory: 2, samplesPerVisit: 3, load: loader.load }));
    const batches = await take(sampler, 12); // 36 draws = 12 visits of 3
    const imageReads = loader.reads.filter((f) => f.endsWith('/im'));
    assert.ok(imageReads.length <= 12 + 2, `${imageReads.length} reads`);
    assert.deepEqual([...new Set(batches.flatMap((b) => b.sources.map((s) => s.exam)))].sort(), labelled.map((e) => e.id));
    // Each exam is visited (≤ 3 draws between reads): never more draws from an exam than 3 × its reads.
    for (const e of labelled) {
      const draws = batches.flatMap((b) => b.sources).filter((s) => s.exam === e.id).length;
      const reads = imageReads.filter((f) => f.startsWith(`${e.id}/`)).length;
      assert.ok(draws <= 3 * reads, `${e.id}: ${draws} draws, ${reads} reads`);
    }
    // Small datasets stay in memory: 6 exams with examsInMemory 6 are read once each.
    const small = memoryLoader(files);
    await take(makeSampler(options({ examsInMemory: 6, load: small.load })), 20);
    assert.equal(small.reads.filter((f) => f.endsWith('/im')).length, 6);
  });

  test('for await iterates batches', async () => {
    let n = 0;
    for await (const batch of makeSampler(options())) {
      assert.equal(batch.batchSize, 4);
      if (++n === 2) break;
    }
    assert.equal(n, 2);
  });

  test('bad input', async () => {
    assert.throws(() => makeSampler(options({ exams: [{ id: 'x', image: 'x/im' }] })), /exam x has no label map; pass it in options\.unlabelled/);
    assert.throws(() => makeSampler(options({ batchSize: 0 })), /batchSize is 0, expected a positive integer/);
    assert.throws(() => makeSampler(options({ exams: [] })), /no labelled exam/);
    assert.throws(() => makeSampler(options({ emptySliceWeight: 2 })), /emptySliceWeight is 2, expected a number in \[0, 1\]/);
    const state = makeSampler(options()).getState();
    assert.throws(() => makeSampler(options({ exams: labelled.slice(1), state })), /belongs to other exams or settings/);

    files.set('bad/im', volumeFrom([5, 6, 4], () => 1));
    files.set('bad/seg', volumeFrom([5, 6, 3], () => 1, Uint8Array));
    const mismatch = makeSampler(options({ exams: [{ id: 'sub-bad', image: 'bad/im', label: 'bad/seg' }] }));
    await assert.rejects(mismatch.nextBatch(), /exam sub-bad: image bad\/im is 5×6×4 but label map bad\/seg is 5×6×3/);
    const missing = makeSampler(options({ exams: [{ id: 'gone', image: 'gone/im', label: 'gone/seg' }] }));
    await assert.rejects(missing.nextBatch(), /cannot read gone\/im/);

    files.set('empty/im', volumeFrom(DIMS, () => 1));
    files.set('empty/seg', volumeFrom(DIMS, () => 0, Uint8Array));
    const empty = makeSampler(options({ exams: [{ id: 'blank', image: 'empty/im', label: 'empty/seg' }], emptySliceWeight: 0 }));
    await assert.rejects(empty.nextBatch(), /exam blank has no slice with foreground along axis 1 and emptySliceWeight is 0/);

    files.set('big/im', volumeFrom([7, 6, 4], () => 1));
    files.set('big/seg', volumeFrom([7, 6, 4], () => 1, Uint8Array));
    const sizes = makeSampler(options({ exams: [labelled[0], { id: 'big', image: 'big/im', label: 'big/seg' }], padTo: undefined, batchSize: 16 }));
    await assert.rejects(sizes.nextBatch(), /exam (big|L0) gives 4×(7|5) samples along axis 1, but exam (L0|big) gave 4×(5|7); pass padTo/);
  });
});
