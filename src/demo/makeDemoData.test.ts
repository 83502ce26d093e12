import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, readlink, realpath, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { countAdjacency } from '../prior/countAdjacency.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import { makeDemoData, VARIED_COHORT_SIZES, type CohortSizes } from './makeDemoData.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('makeDemoData cohorts', () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  test('the varied cohort plan: every set, labelled or not, disjoint seeds', () => {
    assert.deepEqual(VARIED_COHORT_SIZES, { train: 16, val: 4, 'unseen-val': 4, test: 12, 'unseen-test': 12, 'unseen-train': 8, 'unlabelled-train': 8 });
  });

  test("a tiny varied cohort: subjects, prior, cohort.json (training subjects have no pair outside their own prior), val-both links", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-cohort-'));
    dirs.push(dir);
    const sizes: CohortSizes = { train: 2, val: 1, 'unseen-val': 1, test: 1, 'unseen-test': 0, 'unseen-train': 0, 'unlabelled-train': 1 };
    const data = await makeDemoData({ dir, root, atlas: 'aal', labels: 'regions', downsample: 2, sizes, seed: 3, cohort: 'varied' });
    assert.deepEqual(data.subjects.map((s) => `${s.set}/${s.id}:${s.seed}:${s.contrast}:${s.label ? 'L' : '-'}`), [
      'train/s000:3000:native:L', 'train/s001:3001:native:L', 'val/s000:3100:native:L', 'test/s000:3200:native:L',
      'unseen-val/s000:3500:monotone:L', 'unlabelled-train/s000:3600:native:-',
    ]);
    const unlabelled = await readdir(path.join(dir, 'unlabelled-train', 's000'));
    assert.deepEqual(unlabelled, ['prepro_im_mni_bc.nii.gz']);
    const cohort = JSON.parse(await readFile(path.join(dir, 'cohort.json'), 'utf8'));
    assert.equal(cohort.cohort, 'varied');
    assert.equal(cohort.subjects.length, 6);
    for (const s of cohort.subjects) {
      assert.ok(s.anatomy.minJacobian > 0, `${s.set}/${s.id}: Jacobian ${s.anatomy.minJacobian}`);
      assert.equal('graph' in s, s.labelled);
      if (s.set === 'train') assert.deepEqual([s.graph.extraPairs, s.graph.extraContacts, s.graph.extra], [0, 0, []]);
    }
    assert.equal(cohort.priorPairs, countPairs(data.prior.allowedMask(), data.prior.numLabels));
    const links = await readdir(path.join(dir, 'val-both'));
    assert.deepEqual(links.sort(), ['native-s000', 'unseen-s000']);
    assert.equal(await realpath(path.join(dir, 'val-both', 'unseen-s000')), await realpath(path.join(dir, 'unseen-val', 's000')));
    // A second call keeps the subjects and the anatomy record of cohort.json.
    const again = await makeDemoData({ dir, root, atlas: 'aal', labels: 'regions', downsample: 2, sizes, seed: 3, cohort: 'varied' });
    assert.equal(again.subjects.length, 6);
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'cohort.json'), 'utf8')), cohort);
    await assert.rejects(makeDemoData({ dir, root, atlas: 'aal', labels: 'regions', downsample: 2, sizes, seed: 3, cohort: 'warp' }), /holds subjects of the varied cohort, not of the warp cohort/);
  });

  test('without a cohort: no cohort.json, no val-both (the default demo data as before)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-cohort-'));
    dirs.push(dir);
    await makeDemoData({ dir, root, atlas: 'aal', labels: 'regions', downsample: 2, sizes: { train: 1, val: 0, test: 0, 'unseen-train': 0, 'unseen-test': 0 }, seed: 1 });
    assert.deepEqual((await readdir(dir)).sort(), ['prior', 'train']);
    await assert.rejects(stat(path.join(dir, 'cohort.json')));
    // Its subjects are the default demo's: a cohort there would mix them with its own.
    await assert.rejects(makeDemoData({ dir, root, atlas: 'aal', labels: 'regions', downsample: 2, sizes: VARIED_COHORT_SIZES, seed: 1, cohort: 'warp' }), /makeDemoData: \S+ holds subjects of the default demo, not of the warp cohort; choose another folder/);
    await assert.rejects(makeDemoData({ dir, root, atlas: 'inia19', labels: 'regions', downsample: 2, sizes: { train: 1, val: 0, test: 0, 'unseen-train': 0, 'unseen-test': 0 }, seed: 1, cohort: 'varied' }), /makeDemoData: the varied cohort needs the AAL atlas/);
  });
});

function countPairs(mask: Uint8Array, L: number): number {
  let n = 0;
  for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) n += mask[i * L + j];
  return n;
}

const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'nonadj-demo-data-'));
after(() => rmSync(tmpDir, { recursive: true, force: true }));

describe('makeDemoData: the prior', () => {
  test('disjoint subjects per set; the prior counts the training label maps only; unlabelled pools have no labels', { timeout: 120_000 }, async () => {
    const data = await makeDemoData({
      dir: tmpDir, root, atlas: 'aal', labels: 'regions', downsample: 2, seed: 3, cohort: 'varied',
      sizes: { train: 2, val: 1, 'unseen-val': 1, test: 1, 'unseen-test': 1, 'unseen-train': 1, 'unlabelled-train': 1 },
    });
    const seeds = data.subjects.map((s) => s.seed);
    assert.equal(new Set(seeds).size, seeds.length, `subject seeds ${seeds.join(', ')}`);
    assert.equal(data.subjects.length, 8);
    for (const s of data.subjects) {
      const unlabelled = s.set === 'unseen-train' || s.set === 'unlabelled-train';
      assert.equal(s.label === undefined, unlabelled, `${s.set}/${s.id}`);
      assert.equal(existsSync(path.join(tmpDir, s.set, s.id, 'prepro_seg_mni.nii.gz')), !unlabelled, `${s.set}/${s.id}`);
    }
    // The prior is the sum of the two training maps' counts, and would differ with a held-out map added.
    const L = data.prior.numLabels;
    const sum = new Float64Array(L * L);
    const add = async (file: string, into: Float64Array) => {
      const v = await readNiftiFile(file, { expect: '3d' });
      const c = countAdjacency(v.data, v.dims as [number, number, number], { numLabels: L }).counts;
      for (let k = 0; k < into.length; k++) into[k] += c[k];
    };
    for (const s of data.subjects.filter((x) => x.set === 'train')) await add(s.label!, sum);
    assert.deepEqual(Array.from(data.prior.counts), Array.from(sum));
    const withTest = Float64Array.from(sum);
    await add(data.subjects.find((x) => x.set === 'test')!.label!, withTest);
    assert.notDeepEqual(Array.from(withTest), Array.from(sum));
  });
});

describe('makeDemoData: jobs', () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const sizes: CohortSizes = { train: 2, val: 1, 'unseen-val': 1, test: 0, 'unseen-test': 0, 'unseen-train': 0, 'unlabelled-train': 1 };

  /** Every file under `dir` (links as their targets), by path relative to it. */
  async function filesOf(dir: string): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      const file = path.join(entry.parentPath, entry.name);
      if (entry.isSymbolicLink()) out.set(path.relative(dir, file), Buffer.from(await readlink(file)));
      else if (entry.isFile()) out.set(path.relative(dir, file), await readFile(file));
    }
    return out;
  }

  async function make(jobs: number, dir?: string) {
    dir ??= await mkdtemp(path.join(os.tmpdir(), `nonadj-jobs-${jobs}-`));
    dirs.push(dir);
    const lines: string[] = [];
    const data = await makeDemoData({ dir, root, atlas: 'aal', labels: 'regions', downsample: 2, sizes, seed: 5, cohort: 'varied', jobs, onSubject: (set, id, done, total) => lines.push(`${done}/${total} ${set}/${id}`) });
    return { dir, data, lines };
  }

  test('2 worker threads write the same files as the calling thread, byte for byte; a resumed run makes only what is missing', { timeout: 300_000 }, async () => {
    const one = await make(1);
    const two = await make(2);
    // jobs 1: in set order.
    assert.deepEqual(one.lines, ['1/5 train/s000', '2/5 train/s001', '3/5 val/s000', '4/5 unseen-val/s000', '5/5 unlabelled-train/s000']);
    // jobs 2: in completion order, each subject once, `done` counting up.
    assert.deepEqual(two.lines.map((l) => l.split(' ')[0]), ['1/5', '2/5', '3/5', '4/5', '5/5']);
    assert.deepEqual(two.lines.map((l) => l.split(' ')[1]).sort(), one.lines.map((l) => l.split(' ')[1]).sort());
    const [a, b] = await Promise.all([filesOf(one.dir), filesOf(two.dir)]);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    assert.ok(a.has('cohort.json') && a.has(path.join('prior', 'graph.json')) && a.has(path.join('unseen-val', 's000', 'prepro_seg_mni.nii.gz')));
    for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${name} differs between jobs 1 and jobs 2`);
    assert.deepEqual({ ...two.data, priorFile: '', subjects: [] }, { ...one.data, priorFile: '', subjects: [] });
    assert.deepEqual(two.data.subjects.map((s) => path.relative(two.dir, s.image)), one.data.subjects.map((s) => path.relative(one.dir, s.image)));

    // A resumed run keeps the subjects it finds (reported first) and makes the missing ones: the same files again.
    await rm(path.join(two.dir, 'val', 's000', 'prepro_im_mni_bc.nii.gz'));
    await rm(path.join(two.dir, 'train', 's001', 'prepro_seg_mni.nii.gz'));
    const keptImage = await stat(path.join(two.dir, 'train', 's000', 'prepro_im_mni_bc.nii.gz'));
    const resumed = await make(2, two.dir);
    assert.deepEqual(resumed.lines.slice(0, 3), ['1/5 train/s000', '2/5 unseen-val/s000', '3/5 unlabelled-train/s000']);
    assert.deepEqual(resumed.lines.slice(3).map((l) => l.split(' ')[1]).sort(), ['train/s001', 'val/s000']);
    assert.equal((await stat(path.join(two.dir, 'train', 's000', 'prepro_im_mni_bc.nii.gz'))).mtimeMs, keptImage.mtimeMs);
    const c = await filesOf(two.dir);
    for (const [name, bytes] of a) assert.ok(bytes.equals(c.get(name)!), `${name} differs after the resumed run`);
  });
});
