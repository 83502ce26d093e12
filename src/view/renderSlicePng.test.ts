import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { labelRgb } from './labelRgb.js';
import { renderSlicePng } from './renderSlicePng.js';

const decode = (url: string) => PNG.sync.read(Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64'));

test('renderSlicePng: grey, label blend and contact red, scaled, row 0 on top', () => {
  // 3×1 slice: grey 100 alone; label 1 over grey 100; a contact over label 1 on black.
  const png = decode(renderSlicePng({ width: 3, height: 1, grey: [100, 100, 0], labels: [0, 1, 1], contact: [0, 0, 1] }, { scale: 2 }));
  assert.deepEqual([png.width, png.height], [6, 2]);
  const px = (x: number, y: number) => [...png.data.subarray(4 * (y * 6 + x), 4 * (y * 6 + x) + 4)];
  const c = labelRgb(1);
  assert.deepEqual(px(1, 1), [100, 100, 100, 255]);
  assert.deepEqual(px(2, 0), [...c.map((v) => Math.trunc(45 + 0.55 * v)), 255]);
  assert.deepEqual(px(5, 1), [Math.trunc(0.3 * 0.55 * c[0] + 178), Math.trunc(0.3 * 0.55 * c[1]), Math.trunc(0.3 * 0.55 * c[2]), 255]);
});
