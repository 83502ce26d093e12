/**
 * Seeded fuzz pass over the FreeSurfer MGH reader, as test/niftiFuzz.test.ts does for NIfTI: mutated headers,
 * truncated, padded, corrupted and oversized gzip streams, read through `readVolume` (which must route them to
 * `readMgh`), then a few through the built CLI. Every input must end in a volume or in one Error naming the file,
 * never a TypeError, a crash or an allocation beyond a set budget (dims are checked against the file size first).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { checkSegmentation } from '../src/metric/checkSegmentation.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { readVolume } from '../src/volume/readVolume.js';
import { assertCliFuzzResult, assertNamedError, FUZZ_MEMORY_BUDGET, fuzzMemoryInUse, makeFuzzCases } from './helpers/fuzzVolumeFiles.js';
import { buildMgh } from './helpers/mghFixtures.js';
import { runCli } from './helpers/runCliSnapshot.js';

const CASES = 400;
const SIDE = 8;
const base = buildMgh({ dims: [SIDE, SIDE, SIDE, 1], type: 4, delta: [1, 1.5, 2], mdc: [-1, 0, 0, 0, 0, -1, 0, 1, 0], cRas: [1, 2, 3], data: Array.from({ length: SIDE ** 3 }, (_, v) => (v * 7) % 5), tail: new Uint8Array(20) });
const prior = AdjacencyPrior.fromCounts([[2, 1, 0], [1, 2, 1], [0, 1, 2]]);

/** One mutated file per case number (seeded, so every failure can be replayed from it). */
const mutate = makeFuzzCases({
  base,
  seed: 5000,
  // Header fields worth hitting with extreme values: [offset, kind] (big-endian).
  fields: [
    [0, 'i32'], [4, 'i32'], [8, 'i32'], [12, 'i32'], [16, 'i32'], [20, 'i32'], [24, 'i32'], [28, 'i16'],
    [30, 'f32'], [34, 'f32'], [38, 'f32'], [42, 'f32'], [50, 'f32'], [62, 'f32'], [74, 'f32'], [78, 'f32'], [86, 'f32'],
  ],
  extremes: [0, -1, 1, 2, 3, 4, 5, 8, 10, 255, 256, 284, 32767, -32768, 2 ** 31 - 1, -(2 ** 31), 1e30, -1e30, Infinity, -Infinity, NaN, 0.5, 1e-30],
  littleEndian: false,
  fieldEditChance: 0.7,
  byteEdits: { from: 4, count: 280 },
  // The version stays 1 in most cases, or readVolume sends the file to readNifti and the MGH reader is not fuzzed.
  keepFieldEdit: (offset, r) => offset !== 0 || r() >= 0.8,
});

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-mghfuzz-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test(`fuzz: ${CASES} mutated MGH files read in-process: a volume or an Error naming the file, within ${FUZZ_MEMORY_BUDGET / 2 ** 20} MiB`, () => {
  let peak = 0;
  const outcomes = { read: 0, refusedByMgh: 0, refusedOther: 0 };
  for (let i = 0; i < CASES; i++) {
    const { bytes, what } = mutate(i);
    const source = `fuzz-${i}.mgz`;
    let volume;
    try {
      volume = readVolume(bytes, { source, expect: '3d' });
      outcomes.read++;
    } catch (error) {
      assertNamedError(error, source, `case ${i} (${what})`);
      if (error.message.startsWith('readMgh:')) outcomes.refusedByMgh++;
      else outcomes.refusedOther++;
    }
    if (volume) {
      assert.ok(volume.affine.every(Number.isFinite), `case ${i} (${what}): non-finite affine accepted`);
      assert.equal(volume.header.format, 'mgh', `case ${i}`);
      checkSegmentation(volume, prior, { source });
    }
    peak = Math.max(peak, fuzzMemoryInUse());
  }
  assert.ok(peak < FUZZ_MEMORY_BUDGET, `peak ${(peak / 2 ** 20).toFixed(0)} MiB`);
  // The mutations must exercise the MGH reader's success and refusal paths, or the test proves little.
  assert.ok(outcomes.refusedByMgh > CASES / 4 && outcomes.read > CASES / 10, JSON.stringify(outcomes));
});

test('MGH fuzz through the built CLI: exit 0, 1 or 2; on 2 one line naming the file; no stack trace', () => {
  const priorFile = path.join(tmp, 'graph.json');
  writeFileSync(priorFile, JSON.stringify(prior.toJson()));
  for (const i of [2, 19, 77, 150, 222, 333]) {
    const { bytes, what } = mutate(i);
    const file = path.join(tmp, `fuzz-${i}.mgz`);
    writeFileSync(file, bytes);
    assertCliFuzzResult(runCli(['check', file, '--prior', priorFile]), file, `case ${i} (${what})`);
  }
});
