import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pasteIslands } from '../../src/synth/pasteIslands.js';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { countAdjacency } from '../../src/prior/countAdjacency.js';
import { readNiftiFile, writeNiftiFile } from '../../src/volume/niftiFile.js';
import { makeVolume } from '../../src/volume/Volume.js';
import { ROOT } from './runCliSnapshot.js';

/** Files the metric CLI tests run on, written once into a fresh temporary folder. */
export interface MetricCliFixtures {
  dir: string;
  /** Prior of the bundled AAL atlas with its names (graph.json), and the same counts as CSV. */
  aalPrior: string;
  aalPriorCsv: string;
  /** AAL with 3 pasted islands (seed 4, into brain labels only). */
  aalIslands: string;
  /** 9×9×9 maps: host 1 with a 3³ cube of 2 at [3..5]³ ("cube"), the same without the cube ("clean"). */
  cube: string;
  clean: string;
  /** The cube map with label 7, which the small prior does not know, instead of 2. */
  unknown: string;
  /** A 3-label prior allowing only each label with itself (every pair forbidden), with names. */
  smallPrior: string;
  /** Folders pred/ and truth/ with two cases each (small maps, 2 mm voxels). */
  pred: string;
  truth: string;
  /** A float map with a non-integer value. */
  fractional: string;
  /** The clean map on another grid (9×9×8). */
  otherGrid: string;
}

/** Build the fixtures (≈ 1 s: reads AAL once). */
export async function makeMetricCliFixtures(): Promise<MetricCliFixtures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nonadj-metric-cli-'));
  const aal = await readNiftiFile(path.join(ROOT, 'data', 'aal.nii.gz'));
  const names = (await import('node:fs')).readFileSync(path.join(ROOT, 'data', 'aal.nii.txt'), 'utf8');
  const { parseLabelNames } = await import('../../src/prior/parseLabelNames.js');
  const entries = parseLabelNames(names).entries;
  const prior = AdjacencyPrior.fromCounts(countAdjacency(aal.data, aal.dims).counts, {
    names: Array.from({ length: 117 }, (_, i) => entries.get(i)?.name ?? null),
  });
  const aalPrior = path.join(dir, 'aal-graph.json');
  writeFileSync(aalPrior, JSON.stringify(prior.toJson()));
  const aalPriorCsv = path.join(dir, 'graph.png.csv');
  writeFileSync(aalPriorCsv, prior.toCsv());
  const aalIslands = path.join(dir, 'aal-islands.nii.gz');
  const pasted = pasteIslands(aal, { count: 3, prior, seed: 4, hosts: Array.from({ length: 116 }, (_, i) => i + 1) });
  await writeNiftiFile(aalIslands, pasted.volume, { kind: 'labels' });

  const dims = [9, 9, 9] as const;
  const spacing = { spacingMm: [2, 2, 2] as [number, number, number] };
  const map = (inner: number) => {
    const data = new Uint8Array(729).fill(1);
    for (let k = 3; k <= 5; k++) for (let j = 3; j <= 5; j++) for (let i = 3; i <= 5; i++) data[i + 9 * (j + 9 * k)] = inner;
    return makeVolume(dims, data, spacing);
  };
  const cube = path.join(dir, 'cube.nii.gz');
  const clean = path.join(dir, 'clean.nii.gz');
  const unknown = path.join(dir, 'unknown.nii.gz');
  await writeNiftiFile(cube, map(2), { kind: 'labels' });
  await writeNiftiFile(clean, map(1), { kind: 'labels' });
  await writeNiftiFile(unknown, map(7), { kind: 'labels' });
  const smallPrior = path.join(dir, 'small-graph.json');
  writeFileSync(smallPrior, JSON.stringify(AdjacencyPrior.fromCounts([[1, 0, 0], [0, 1, 0], [0, 0, 1]], { names: ['Background', 'Host', 'Island'] }).toJson()));

  const pred = path.join(dir, 'pred');
  const truth = path.join(dir, 'truth');
  await mkdir(pred);
  await mkdir(truth);
  await writeNiftiFile(path.join(pred, 'case1.nii.gz'), map(2), { kind: 'labels' });
  await writeNiftiFile(path.join(truth, 'case1.nii.gz'), map(2), { kind: 'labels' });
  // case2: the truth's cube is shifted by one voxel along x: Dice 2·18/54 = 2/3.
  const shifted = new Uint8Array(729).fill(1);
  for (let k = 3; k <= 5; k++) for (let j = 3; j <= 5; j++) for (let i = 4; i <= 6; i++) shifted[i + 9 * (j + 9 * k)] = 2;
  await writeNiftiFile(path.join(pred, 'case2.nii.gz'), map(2), { kind: 'labels' });
  await writeNiftiFile(path.join(truth, 'case2.nii'), makeVolume(dims, shifted, spacing), { kind: 'labels' });

  const fractional = path.join(dir, 'fractional.nii.gz');
  const f = new Float32Array(729).fill(1);
  f[5] = 1.5;
  await writeNiftiFile(fractional, makeVolume(dims, f, spacing), { kind: 'image' });
  const otherGrid = path.join(dir, 'other-grid.nii.gz');
  await writeNiftiFile(otherGrid, makeVolume([9, 9, 8], new Uint8Array(648).fill(1), spacing), { kind: 'labels' });
  return { dir, aalPrior, aalPriorCsv, aalIslands, cube, clean, unknown, smallPrior, pred, truth, fractional, otherGrid };
}
