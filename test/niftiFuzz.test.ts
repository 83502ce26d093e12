/**
 * Seeded fuzz pass over the NIfTI reader and what reads label maps (issue 12): a few hundred mutated headers,
 * truncated, corrupted and oversized gzip streams, read in-process (fast), then a handful through the built CLI for
 * the exit code and the one-line message. Every input must end in a volume or in an Error naming the file, never in
 * a TypeError, a crash, a hang or an allocation beyond a set budget.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { checkSegmentation } from '../src/metric/checkSegmentation.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { countPresentAdjacency } from '../src/prior/countPresentAdjacency.js';
import { readNifti } from '../src/volume/readNifti.js';
import { assertCliFuzzResult, assertNamedError, FUZZ_MEMORY_BUDGET, fuzzMemoryInUse, makeFuzzCases } from './helpers/fuzzVolumeFiles.js';
import { buildNifti } from './helpers/niftiFixtures.js';
import { runCli } from './helpers/runCliSnapshot.js';

const CASES = 400;
const SIDE = 8;
const base = buildNifti({ dim: [3, SIDE, SIDE, SIDE], datatype: 512, sformCode: 1, srow: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], data: Array.from({ length: SIDE ** 3 }, (_, v) => (v * 7) % 5) });
const prior = AdjacencyPrior.fromCounts([[2, 1, 0], [1, 2, 1], [0, 1, 2]]);

/** One mutated file per case number (seeded, so every failure can be replayed from it). */
const mutate = makeFuzzCases({
  base,
  seed: 1000,
  // Header fields worth hitting with extreme values: [offset, kind].
  fields: [
    [0, 'i32'], [40, 'i16'], [42, 'i16'], [44, 'i16'], [46, 'i16'], [48, 'i16'], [50, 'i16'], [70, 'i16'], [72, 'i16'],
    [76, 'f32'], [80, 'f32'], [84, 'f32'], [88, 'f32'], [108, 'f32'], [112, 'f32'], [116, 'f32'], [252, 'i16'], [254, 'i16'],
    [256, 'f32'], [268, 'f32'], [280, 'f32'], [292, 'f32'], [304, 'f32'], [316, 'f32'],
  ],
  extremes: [0, -1, 1, 2, 3, 7, 8, 255, 256, 348, 349, 351, 352, 353, 1024, 32767, -32768, 2 ** 31 - 1, 1e30, -1e30, Infinity, -Infinity, NaN, 0.5, 351],
  littleEndian: true,
  fieldEditChance: 0.6,
  byteEdits: { from: 0, count: 352 },
});

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-fuzz-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test(`fuzz: ${CASES} mutated NIfTI files read in-process: a volume or an Error naming the file, within ${FUZZ_MEMORY_BUDGET / 2 ** 20} MiB`, () => {
  let peak = 0;
  const outcomes = { read: 0, checked: 0, refused: 0 };
  for (let i = 0; i < CASES; i++) {
    const { bytes, what } = mutate(i);
    const source = `fuzz-${i}.nii`;
    const expectNamed = (error: unknown, stage: string) => assertNamedError(error, source, `case ${i} (${what}) ${stage}`);
    let volume;
    try {
      volume = readNifti(bytes, { source, expect: '3d' });
      outcomes.read++;
    } catch (error) {
      expectNamed(error, 'read');
      outcomes.refused++;
    }
    if (volume) {
      assert.ok(volume.affine.every(Number.isFinite), `case ${i} (${what}): non-finite affine accepted`);
      try {
        countPresentAdjacency(volume.data, volume.dims, { source });
        checkSegmentation(volume, prior, { source });
        outcomes.checked++;
      } catch (error) {
        expectNamed(error, 'count/check');
      }
    }
    peak = Math.max(peak, fuzzMemoryInUse());
  }
  assert.ok(peak < FUZZ_MEMORY_BUDGET, `peak ${(peak / 2 ** 20).toFixed(0)} MiB`);
  // The mutations must exercise both paths, or the test proves little.
  assert.ok(outcomes.refused > CASES / 4 && outcomes.read > CASES / 10, JSON.stringify(outcomes));
});

test('fuzz through the built CLI: exit 0, 1 or 2; on 2 one line naming the file; no stack trace', () => {
  const priorFile = path.join(tmp, 'graph.json');
  writeFileSync(priorFile, JSON.stringify(prior.toJson()));
  for (const i of [3, 17, 42, 99, 123, 256, 311, 377]) {
    const { bytes, what } = mutate(i);
    const file = path.join(tmp, `fuzz-${i}.nii${bytes[0] === 0x1f && bytes[1] === 0x8b ? '.gz' : ''}`);
    writeFileSync(file, bytes);
    for (const args of [['check', file, '--prior', priorFile], ['extract', path.join(tmp, `out-${i}`), '--files', file, '--contiguous', '-q']]) {
      assertCliFuzzResult(runCli(args), file, `case ${i} (${what}) ${args[0]}`);
    }
  }
});
