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
import { gzipSync } from 'node:zlib';
import { checkSegmentation } from '../src/metric/checkSegmentation.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { countPresentAdjacency } from '../src/prior/countPresentAdjacency.js';
import { seededRandom } from '../src/numeric/seededRandom.js';
import { readNifti } from '../src/volume/readNifti.js';
import { buildNifti } from './helpers/niftiFixtures.js';
import { runCli } from './helpers/runCliSnapshot.js';

/** A seeded generator (the project's own), so every failure can be replayed from its case number. */
function random(seed: number): () => number {
  const rng = seededRandom(seed);
  return () => rng.next();
}

const CASES = 400;
/** Peak memory (array buffers + JS heap) the whole pass may reach, far below what any failure of issue 12 took. */
const MEMORY_BUDGET = 512 * 2 ** 20;
const SIDE = 8;
const base = buildNifti({ dim: [3, SIDE, SIDE, SIDE], datatype: 512, sformCode: 1, srow: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], data: Array.from({ length: SIDE ** 3 }, (_, v) => (v * 7) % 5) });
const prior = AdjacencyPrior.fromCounts([[2, 1, 0], [1, 2, 1], [0, 1, 2]]);

/** Header fields worth hitting with extreme values: [offset, kind]. */
const FIELDS: Array<[number, 'i16' | 'f32' | 'i32']> = [
  [0, 'i32'], [40, 'i16'], [42, 'i16'], [44, 'i16'], [46, 'i16'], [48, 'i16'], [50, 'i16'], [70, 'i16'], [72, 'i16'],
  [76, 'f32'], [80, 'f32'], [84, 'f32'], [88, 'f32'], [108, 'f32'], [112, 'f32'], [116, 'f32'], [252, 'i16'], [254, 'i16'],
  [256, 'f32'], [268, 'f32'], [280, 'f32'], [292, 'f32'], [304, 'f32'], [316, 'f32'],
];
const EXTREMES = [0, -1, 1, 2, 3, 7, 8, 255, 256, 348, 349, 351, 352, 353, 1024, 32767, -32768, 2 ** 31 - 1, 1e30, -1e30, Infinity, -Infinity, NaN, 0.5, 351];

/** One mutated file, and a short name of what was done to it. */
function mutate(i: number): { bytes: Uint8Array; what: string } {
  const r = random(1000 + i);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  let bytes: Uint8Array = base.slice();
  const view = new DataView(bytes.buffer);
  const what: string[] = [];
  const edits = 1 + Math.floor(r() * 3);
  for (let e = 0; e < edits; e++) {
    if (r() < 0.6) {
      const [offset, kind] = pick(FIELDS);
      const value = pick(EXTREMES);
      if (kind === 'f32') view.setFloat32(offset, value, true);
      else if (kind === 'i16') view.setInt16(offset, Number.isFinite(value) ? value : 0, true);
      else view.setInt32(offset, Number.isFinite(value) ? value : 0, true);
      what.push(`${offset}=${value}`);
    } else {
      const at = Math.floor(r() * 352);
      bytes[at] = Math.floor(r() * 256);
      what.push(`byte${at}`);
    }
  }
  const shape = r();
  if (shape < 0.15) {
    bytes = bytes.subarray(0, Math.floor(r() * bytes.length));
    what.push('truncated');
  } else if (shape < 0.25) {
    bytes = Buffer.concat([bytes, Buffer.alloc(Math.floor(r() * 3 * 2 ** 20))]);
    what.push('trailing');
  }
  const wrap = r();
  if (wrap < 0.3) {
    bytes = gzipSync(bytes);
    what.push('gz');
  } else if (wrap < 0.4) {
    const z = gzipSync(bytes);
    bytes = z.subarray(0, Math.max(2, Math.floor(r() * z.length)));
    what.push('gz-cut');
  } else if (wrap < 0.45) {
    const z = Buffer.from(gzipSync(bytes));
    z[10 + Math.floor(r() * (z.length - 10))] ^= 0xff;
    bytes = z;
    what.push('gz-flip');
  } else if (wrap < 0.5) {
    bytes = gzipSync(Buffer.concat([bytes, Buffer.alloc(48 * 2 ** 20)]));
    what.push('gz-bomb');
  }
  return { bytes, what: what.join(',') };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-fuzz-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test(`fuzz: ${CASES} mutated NIfTI files read in-process: a volume or an Error naming the file, within ${MEMORY_BUDGET / 2 ** 20} MiB`, () => {
  let peak = 0;
  const outcomes = { read: 0, checked: 0, refused: 0 };
  for (let i = 0; i < CASES; i++) {
    const { bytes, what } = mutate(i);
    const source = `fuzz-${i}.nii`;
    const expectNamed = (error: unknown, stage: string) => {
      assert.ok(error instanceof Error && !(error instanceof TypeError), `case ${i} (${what}) ${stage}: ${String(error)}`);
      assert.ok(error.message.includes(source), `case ${i} (${what}) ${stage}: message does not name the file: ${error.message}`);
      assert.ok(!error.message.includes('\n'), `case ${i}: one line`);
    };
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
    const { arrayBuffers, heapUsed } = process.memoryUsage();
    peak = Math.max(peak, arrayBuffers + heapUsed);
  }
  assert.ok(peak < MEMORY_BUDGET, `peak ${(peak / 2 ** 20).toFixed(0)} MiB`);
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
      const r = runCli(args);
      assert.ok([0, 1, 2].includes(r.exitCode), `case ${i} (${what}) ${args[0]}: exit ${r.exitCode}\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at |heap out of memory/, `case ${i}: stack trace`);
      if (r.exitCode === 2) {
        assert.equal(r.stderr.trimEnd().split('\n').length, 1, `case ${i}: ${r.stderr}`);
        assert.ok(r.stderr.includes(file), `case ${i} ${args[0]}: ${r.stderr}`);
      }
    }
  }
});
