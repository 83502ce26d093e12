/**
 * `nonadj extract --min-exams` on real anatomy (the built binary): four AAL exams, one with six islands pasted where
 * the prior forbids them (annotation noise). With k = 1 the noise allows its pairs; with k = 2 exactly the clean
 * atlas's pairs are allowed. `npm run build` first when run alone.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { ROOT, runCli } from '../helpers/runCliSnapshot.js';

let tmp: string;
after(() => rm(tmp, { recursive: true, force: true }));

test('--min-exams 2 drops the pairs of islands pasted in one exam of four, and graph.json records it', async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'nonadj-min-exams-'));
  const aal = path.join(ROOT, 'data/aal.nii.gz');
  const clean = path.join(tmp, 'clean');
  assert.equal(runCli(['extract', clean, '117', '-q', '--files', aal]).exitCode, 0);
  const noisy = path.join(tmp, 'noisy.nii.gz');
  const paste = runCli(['paste-islands', aal, noisy, '--prior', path.join(clean, 'graph.json'), '--count', '6', '--seed', '3']);
  assert.equal(paste.exitCode, 0, paste.stderr);
  const data = path.join(tmp, 'data');
  for (const id of ['e1', 'e2', 'e3', 'e4']) {
    await mkdir(path.join(data, id), { recursive: true });
    if (id === 'e4') await copyFile(noisy, path.join(data, id, 'prepro_seg_mni.nii.gz'));
    else await symlink(aal, path.join(data, id, 'prepro_seg_mni.nii.gz'));
  }
  const read = async (dir: string) => AdjacencyPrior.parseJson(await readFile(path.join(dir, 'graph.json'), 'utf8'));
  const reference = await read(clean);

  const k1 = runCli(['extract', data, path.join(tmp, 'k1'), '117', '-q']);
  assert.equal(k1.exitCode, 0, k1.stderr);
  const one = await read(path.join(tmp, 'k1'));
  // The six islands add six unordered pairs (twelve ordered) to the clean atlas's.
  assert.equal(reference.forbiddenOrderedPairs - one.forbiddenOrderedPairs, 12);
  assert.doesNotMatch(await readFile(path.join(tmp, 'k1', 'graph.json'), 'utf8'), /minExams/);

  const k2 = runCli(['extract', data, path.join(tmp, 'k2'), '117', '-q', '--min-exams', '2']);
  assert.equal(k2.exitCode, 0, k2.stderr);
  assert.match(k2.stderr, /min-exams 2: 6 pair\(s\) touching in fewer exams made forbidden/);
  const two = await read(path.join(tmp, 'k2'));
  assert.equal(two.minExams, 2);
  assert.deepEqual([...two.allowedMask()], [...reference.allowedMask()]);
  // Allowed pairs keep their counts summed over all four exams.
  for (let i = 0; i < two.counts.length; i++) if (two.counts[i] > 0) assert.equal(two.counts[i], one.counts[i]);
});
