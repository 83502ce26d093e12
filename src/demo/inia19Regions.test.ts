import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { readNiftiFile } from '../volume/niftiFile.js';
import type { Volume } from '../volume/Volume.js';
import { inia19Regions, type Inia19RegionsResult } from './inia19Regions.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('inia19Regions on the bundled NeuroMaps map', () => {
  let atlas: Volume;
  let regions: Inia19RegionsResult;
  let codes: number[];
  before(async () => {
    atlas = await readNiftiFile(path.join(ROOT, 'data', 'inia19-NeuroMaps.nii.gz'), { expect: '3d' });
    regions = inia19Regions(atlas.data as ArrayLike<number>, atlas.dims as [number, number, number]);
    codes = [...new Set(Array.from(atlas.data as ArrayLike<number>))].sort((a, b) => a - b);
  });

  test('24 regions + background: Group01_L, Group01_R … Group12_R', () => {
    assert.equal(regions.names.length, 25);
    assert.equal(regions.names[0], 'Background');
    for (let g = 1; g <= 12; g++) {
      const nn = String(g).padStart(2, '0');
      assert.equal(regions.names[2 * g - 1], `Group${nn}_L`);
      assert.equal(regions.names[2 * g], `Group${nn}_R`);
    }
  });

  test('every code present maps to exactly one region 1…24 (background to 0), and the members list it there', () => {
    assert.equal(codes.length, 725); // 724 structures + background
    assert.equal(regions.lut[0], 0);
    const listed = new Map<number, number>();
    regions.members.forEach((m, r) => m.forEach((c) => {
      assert.ok(!listed.has(c), `code ${c} listed in regions ${listed.get(c)} and ${r}`);
      listed.set(c, r);
    }));
    for (const c of codes.slice(1)) {
      assert.ok(regions.lut[c] >= 1 && regions.lut[c] <= 24, `code ${c} → ${regions.lut[c]}`);
      assert.equal(listed.get(c), regions.lut[c], `code ${c}`);
    }
    assert.equal(listed.size, 724);
  });

  test('hemispheres apart and mirrored: code c < 1000 → odd region 2g − 1, its partner 1000 + c → 2g', () => {
    for (const c of codes.filter((c) => c > 0 && c < 1000)) {
      assert.equal(regions.lut[c] % 2, 1, `code ${c}`);
      assert.equal(regions.lut[c + 1000], regions.lut[c] + 1, `codes ${c} / ${c + 1000}`);
    }
  });

  test('no region is empty at the demo grid (1 mm, the 2×2×2 majority of makeSyntheticSubject): each ≥ 500 voxels, on its own side', () => {
    const [sx, sy, sz] = atlas.dims;
    const data = atlas.data as ArrayLike<number>;
    const volume = new Float64Array(25);
    const leftOfMidline = new Float64Array(25);
    // Sample the 2×2×2 blocks' first voxel: a nearest-neighbour 1 mm grid, close to the demo's majority vote.
    for (let z = 0; z + 1 < sz; z += 2) {
      for (let y = 0; y + 1 < sy; y += 2) {
        for (let x = 0; x + 1 < sx; x += 2) {
          const r = regions.lut[data[x + sx * (y + sy * z)]];
          volume[r]++;
          if (x < sx / 2) leftOfMidline[r]++;
        }
      }
    }
    for (let r = 1; r <= 24; r++) {
      assert.ok(volume[r] >= 500, `${regions.names[r]}: ${volume[r]} voxels at 1 mm`);
      // x < 0 in the file's RAS affine (x = 0.5·i − 42 mm) is the left: the _L regions lie there.
      const fraction = leftOfMidline[r] / volume[r];
      assert.ok(r % 2 === 1 ? fraction > 0.9 : fraction < 0.1, `${regions.names[r]}: ${fraction} of its voxels left of the midline`);
    }
  });

  test('numbered from front to back: the left regions\' mean y decreases with the group number', () => {
    const [sx, sy] = atlas.dims;
    const data = atlas.data as ArrayLike<number>;
    const sum = new Float64Array(25);
    const n = new Float64Array(25);
    for (let v = 0; v < data.length; v++) {
      const r = regions.lut[data[v]];
      sum[r] += Math.floor(v / sx) % sy;
      n[r]++;
    }
    for (let g = 1; g < 12; g++) assert.ok(sum[2 * g - 1] / n[2 * g - 1] > sum[2 * g + 1] / n[2 * g + 1], `Group ${g} before ${g + 1}`);
  });
});

describe('inia19Regions on small maps', () => {
  test('golden: two structures per side in a row, one group per hemisphere', () => {
    // x: 1001 1002 | 2 1 (one row of 4; the pairs 1/1001 and 2/1002), perHemisphere 1 → everything in Group01.
    const r = inia19Regions([1001, 1002, 2, 1], [4, 1, 1], { perHemisphere: 1, minDemoVoxels: 0 });
    assert.deepEqual(r.names, ['Background', 'Group01_L', 'Group01_R']);
    assert.deepEqual([r.lut[1], r.lut[2], r.lut[1001], r.lut[1002]], [1, 1, 2, 2]);
    assert.deepEqual(r.members, [[], [1, 2], [1001, 1002]]);
  });

  test('golden: two groups are numbered front (high y) to back', () => {
    // 1×4×1 column along y: y=0,1 → code 5 / 1005 at x… (one voxel wide: both sides share the column here; the
    // rule only reads codes), y=2,3 → code 7 / 1007. perHemisphere 2: no merge; 7 (y 2.5) is in front of 5 (y 0.5).
    const r = inia19Regions([5, 1005, 7, 1007], [1, 4, 1], { perHemisphere: 2, minDemoVoxels: 0 });
    assert.deepEqual([r.lut[7], r.lut[1007], r.lut[5], r.lut[1005]], [1, 2, 3, 4]);
  });

  test('a code without its other-hemisphere partner, or out of range, is refused', () => {
    assert.throws(() => inia19Regions([0, 3, 1003, 4], [4, 1, 1]), /inia19Regions: label code 4 has no other-hemisphere partner 1004/);
    assert.throws(() => inia19Regions([0, 2500], [2, 1, 1]), /inia19Regions: label code 2500, expected an integer in 0…1999/);
    assert.throws(() => inia19Regions([0, 1], [3, 1, 1]), /inia19Regions: 2 voxels, expected 3×1×1 = 3/);
  });
});
