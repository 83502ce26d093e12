import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume } from '../volume/Volume.js';
import { contactOverlay } from './contactOverlay.js';
import { makeViewerReport } from './makeViewerReport.js';

/** Background 0, host 1, island 2: each touches only itself, except background–host. */
const prior = AdjacencyPrior.fromCounts([[1, 1, 0], [1, 1, 0], [0, 0, 1]], { names: ['Background', 'Host', null] });

/** 5×5×5: background shell, host 3×3×3 inside, island = the host's centre voxel (2, 2, 2); 2 mm voxels. */
function islandInHost() {
  const data = new Uint8Array(125);
  for (let k = 1; k <= 3; k++) for (let j = 1; j <= 3; j++) for (let i = 1; i <= 3; i++) data[i + 5 * (j + 5 * k)] = 1;
  data[2 + 5 * (2 + 5 * 2)] = 2;
  return makeVolume([5, 5, 5], data, { spacingMm: [2, 2, 2], affine: [2, 0, 0, -4, 0, 2, 0, -4, 0, 0, 2, -4, 0, 0, 0, 1] });
}

describe('makeViewerReport', () => {
  const seg = islandInHost();
  const image = makeVolume([5, 5, 5], new Float32Array(125), { spacingMm: [2, 2, 2] });
  const check = checkSegmentation(seg, prior);

  test('one pair: the table row, its place in the heatmap and the label table', () => {
    const overlay = contactOverlay(seg, check);
    const r = makeViewerReport({
      image: { file: 'img.nii.gz', volume: image },
      segmentation: { file: 'seg.nii.gz', volume: seg },
      prior: { file: 'graph.json', prior },
      check,
      shownVoxels: overlay.shownVoxels,
      labels: new Map([[1, { name: 'Host from names', rgb: [1, 2, 3] as [number, number, number] }]]),
      colours: new Map<number, [number, number, number]>([[1, [9, 9, 9]], [2, [40, 50, 60]]]),
      tool: 'nonadj test',
    });
    assert.equal(r.format, 'nonadj-viewer');
    assert.equal(r.tool, 'nonadj test');
    assert.deepEqual(r.image, { file: 'img.nii.gz', dims: [5, 5, 5], spacingMm: [2, 2, 2], affine: [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1] });
    // Background: 125 − 27; host: 27 − 1; island: 1. Names: --names, then the prior, then "label <code>".
    // Colours: the names file's, then the .lut's, then the palette (code 0 here).
    const labels = r.segmentation!.labels;
    assert.deepEqual(
      labels.map((l) => [l.code, l.name, l.voxels]),
      [[0, 'Background', 98], [1, 'Host from names', 26], [2, 'label 2', 1]],
    );
    assert.deepEqual(labels[1].rgb, [1, 2, 3]);
    assert.deepEqual(labels[2].rgb, [40, 50, 60]);
    assert.ok(labels[0].rgb.every((c) => Number.isInteger(c) && c >= 0 && c <= 255));

    const c = r.check!;
    assert.equal(c.forbiddenPairs, 1);
    // The island's 26 neighbours are all host: 26 contacts, 1 island voxel + 26 host voxels.
    assert.equal(c.forbiddenContacts, 26);
    assert.deepEqual(c.pairs, [
      {
        value: 1,
        labels: [1, 2],
        names: ['Host from names', 'label 2'],
        priorRows: [1, 2],
        contacts: 26,
        voxels: [26, 1],
        shownVoxels: 27,
        centroidVoxel: [2, 2, 2],
        centroidMm: [0, 0, 0],
        boundingBox: { min: [1, 1, 1], max: [3, 3, 3] },
      },
    ]);
    assert.deepEqual(r.prior!.names, ['Background', 'Host from names', 'label 2']);
    assert.deepEqual(r.prior!.counts, [1, 1, 0, 1, 1, 0, 0, 0, 1]);
    // {0, 2} and {1, 2}.
    assert.equal(r.prior!.forbiddenUnorderedPairs, 2);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r, 'plain JSON, no typed arrays');
  });

  test('a label the prior does not know: heatmap row −1 and listed as unknown', () => {
    const data = islandInHost().data.map((v) => (v === 2 ? 7 : v));
    const seg7 = makeVolume([5, 5, 5], data);
    const r = makeViewerReport({
      image: { file: 'i', volume: image },
      segmentation: { file: 's', volume: seg7 },
      prior: { file: 'p', prior },
      check: checkSegmentation(seg7, prior),
      labels: new Map([[7, { name: 'Seven' }]]),
    });
    assert.deepEqual(r.check!.pairs[0].priorRows, [1, -1]);
    assert.deepEqual(r.check!.pairs[0].names, ['Host', 'Seven']);
    // Without shownVoxels, each pair shows its own zone.
    assert.equal(r.check!.pairs[0].shownVoxels, 27);
    assert.deepEqual(r.check!.unknownLabels.map((u) => [u.label, u.name, u.voxels]), [[7, 'Seven', 1]]);
  });

  test('image only; image and segmentation without a prior', () => {
    const only = makeViewerReport({ image: { file: 'i', volume: image } });
    assert.equal(only.segmentation, null);
    assert.equal(only.prior, null);
    assert.equal(only.check, null);
    const noPrior = makeViewerReport({ image: { file: 'i', volume: image }, segmentation: { file: 's', volume: seg } });
    assert.deepEqual(noPrior.segmentation!.labels.map((l) => l.name), ['label 0', 'label 1', 'label 2']);
    assert.equal(noPrior.check, null);
  });

  test('labels −1 are not listed', () => {
    const withIgnored = makeVolume([3, 1, 1], new Int16Array([-1, 0, 4]));
    const r = makeViewerReport({ image: { file: 'i', volume: withIgnored }, segmentation: { file: 's', volume: withIgnored } });
    assert.deepEqual(r.segmentation!.labels.map((l) => l.code), [0, 4]);
  });

  test('refuses a segmentation and a prior without their check, and a shownVoxels of the wrong length', () => {
    assert.throws(
      () => makeViewerReport({ image: { file: 'i', volume: image }, segmentation: { file: 's', volume: seg }, prior: { file: 'p', prior } }),
      /makeViewerReport: a segmentation and a prior were given without their check/,
    );
    assert.throws(
      () => makeViewerReport({ image: { file: 'i', volume: image }, segmentation: { file: 's', volume: seg }, prior: { file: 'p', prior }, check, shownVoxels: [] }),
      /shownVoxels has 0 entries for 1 pairs/,
    );
  });
});
