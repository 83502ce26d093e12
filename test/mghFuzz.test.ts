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
import { gzipSync } from 'node:zlib';
import { checkSegmentation } from '../src/metric/checkSegmentation.js';
import { seededRandom } from '../src/numeric/seededRandom.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { readVolume } from '../src/volume/readVolume.js';
import { buildMgh } from './helpers/mghFixtures.js';
import { runCli } from './helpers/runCliSnapshot.js';

const CASES = 400;
const MEMORY_BUDGET = 512 * 2 ** 20;
const SIDE = 8;
const base = buildMgh({ dims: [SIDE, SIDE, SIDE, 1], type: 4, delta: [1, 1.5, 2], mdc: [-1, 0, 0, 0, 0, -1, 0, 1, 0], cRas: [1, 2, 3], data: Array.from({ length: SIDE ** 3 }, (_, v) => (v * 7) % 5), tail: new Uint8Array(20) });
const prior = AdjacencyPrior.fromCounts([[2, 1, 0], [1, 2, 1], [0, 1, 2]]);

/** Header fields worth hitting with extreme values: [offset, kind] (big-endian). */
const FIELDS: Array<[number, 'i16' | 'f32' | 'i32']> = [
  [0, 'i32'], [4, 'i32'], [8, 'i32'], [12, 'i32'], [16, 'i32'], [20, 'i32'], [24, 'i32'], [28, 'i16'],
  [30, 'f32'], [34, 'f32'], [38, 'f32'], [42, 'f32'], [50, 'f32'], [62, 'f32'], [74, 'f32'], [78, 'f32'], [86, 'f32'],
];
const EXTREMES = [0, -1, 1, 2, 3, 4, 5, 8, 10, 255, 256, 284, 32767, -32768, 2 ** 31 - 1, -(2 ** 31), 1e30, -1e30, Infinity, -Infinity, NaN, 0.5, 1e-30];

function mutate(i: number): { bytes: Uint8Array; what: string } {
  const rng = seededRandom(5000 + i);
  const r = () => rng.next();
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  let bytes: Uint8Array = base.slice();
  const view = new DataView(bytes.buffer);
  const what: string[] = [];
  const edits = 1 + Math.floor(r() * 3);
  for (let e = 0; e < edits; e++) {
    if (r() < 0.7) {
      const [offset, kind] = pick(FIELDS);
      const value = pick(EXTREMES);
      // The version stays 1 in most cases, or readVolume sends the file to readNifti and the MGH reader is not fuzzed.
      if (offset === 0 && r() < 0.8) continue;
      if (kind === 'f32') view.setFloat32(offset, value, false);
      else if (kind === 'i16') view.setInt16(offset, Number.isFinite(value) ? value : 0, false);
      else view.setInt32(offset, Number.isFinite(value) ? value : 0, false);
      what.push(`${offset}=${value}`);
    } else {
      const at = 4 + Math.floor(r() * 280);
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

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-mghfuzz-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test(`fuzz: ${CASES} mutated MGH files read in-process: a volume or an Error naming the file, within ${MEMORY_BUDGET / 2 ** 20} MiB`, () => {
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
      assert.ok(error instanceof Error && !(error instanceof TypeError), `case ${i} (${what}): ${String(error)}`);
      assert.ok(error.message.includes(source), `case ${i} (${what}): message does not name the file: ${error.message}`);
      assert.ok(!error.message.includes('\n'), `case ${i}: one line`);
      if (error.message.startsWith('readMgh:')) outcomes.refusedByMgh++;
      else outcomes.refusedOther++;
    }
    if (volume) {
      assert.ok(volume.affine.every(Number.isFinite), `case ${i} (${what}): non-finite affine accepted`);
      assert.equal(volume.header.format, 'mgh', `case ${i}`);
      checkSegmentation(volume, prior, { source });
    }
    const { arrayBuffers, heapUsed } = process.memoryUsage();
    peak = Math.max(peak, arrayBuffers + heapUsed);
  }
  assert.ok(peak < MEMORY_BUDGET, `peak ${(peak / 2 ** 20).toFixed(0)} MiB`);
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
    const r = runCli(['check', file, '--prior', priorFile]);
    assert.ok([0, 1, 2].includes(r.exitCode), `case ${i} (${what}): exit ${r.exitCode}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at |heap out of memory/, `case ${i}: stack trace`);
    if (r.exitCode === 2) {
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `case ${i}: ${r.stderr}`);
      assert.ok(r.stderr.includes(file), `case ${i}: ${r.stderr}`);
    }
  }
});
